// The agent's latest activity (from its output parser), recorded as an event at most every few
// seconds: the status view shows it, and the events table must not grow with every line.
const MIN_INTERVAL_MS = 2_000;
const MAX_LINE = 160;

export class ActivityTracker {
  private latest: string | null = null;
  private recorded: string | null = null;
  private lastAt = 0;
  constructor(
    private readonly record: (text: string) => void,
    private readonly now: () => number,
  ) {}

  push(text: string): void {
    const clean = text
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]|\u001b\[[0-9;]*[A-Za-z]/g, '')
      .trim();
    if (!clean) return;
    this.latest = clean.length > MAX_LINE ? `${clean.slice(0, MAX_LINE - 1)}…` : clean;
    const now = this.now();
    if (now - this.lastAt >= MIN_INTERVAL_MS) this.flush(now);
  }

  flush(now = this.now()): void {
    if (this.latest && this.latest !== this.recorded) {
      this.record(this.latest);
      this.recorded = this.latest;
      this.lastAt = now;
    }
  }
}
