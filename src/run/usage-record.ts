// What an attempt records of its agent's usage while it runs: the live totals as an
// `agent.usage.live` event at most every ~2 s (each change would flood the events table), at
// once when the session id becomes known (a kill -9 of implement still leaves it for resume),
// and the $YM_USAGE_FILE re-read while the agent runs, so a custom agent's spend is seen live.
import { statSync } from 'node:fs';
import type { Usage } from '../agents/adapters/types.js';
import { readUsageFile } from '../agents/usage-file.js';
import { knowsAnything } from '../core/usage.js';

const MIN_INTERVAL_MS = 2_000;

export class UsageRecorder {
  private latest: Usage | null = null;
  private recorded: string | null = null;
  private session: string | undefined;
  private lastAt = -Infinity;
  constructor(
    private readonly record: (usage: Usage) => void,
    private readonly now: () => number,
  ) {}

  push(usage: Usage): void {
    if (!knowsAnything(usage)) return;
    this.latest = usage;
    const now = this.now();
    if (usage.sessionId !== this.session || now - this.lastAt >= MIN_INTERVAL_MS) this.flush(now);
  }

  flush(now = this.now()): void {
    if (!this.latest) return;
    const text = JSON.stringify(this.latest);
    if (text === this.recorded) return;
    this.record(this.latest);
    this.recorded = text;
    this.session = this.latest.sessionId;
    this.lastAt = now;
  }
}

/**
 * Re-reads a usage file when it changed (size or mtime). `poll()` gives the new usage, or
 * undefined when nothing changed or the file is half-written (it is read again next time).
 */
export class UsageFileWatch {
  private seen = '';
  constructor(readonly file: string) {}

  poll(): Usage | null | undefined {
    let stamp: string;
    try {
      const s = statSync(this.file);
      stamp = `${s.size}:${s.mtimeMs}`;
    } catch {
      return undefined;
    }
    if (stamp === this.seen) return undefined;
    try {
      const usage = readUsageFile(this.file);
      this.seen = stamp;
      return usage;
    } catch {
      // Half-written while the agent rewrites it: the final read after its exit reports problems.
      return undefined;
    }
  }
}
