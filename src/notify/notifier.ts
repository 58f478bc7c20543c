// Notifications: `notify.command` (an argv from yardmaster.json, trusted like the checks) runs on
// the events `notify.on` chooses, with one JSON document on stdin (docs/review.md,
// "Notifications"). It never holds the run up: each one is started and forgotten, at most
// MAX_IN_FLIGHT at once (the rest wait their turn, up to MAX_PENDING), each killed after
// notify.timeoutSec, and a failure is one line of output, never a failed run. When the command
// ends, what is still running gets CLOSE_GRACE_MS, then is killed.
import type { Config, NotifyEvent } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { ProcessRunner } from '../proc/run.js';
import type { StateStore } from '../state/store.js';

export const MAX_IN_FLIGHT = 4;
export const MAX_PENDING = 100;
export const CLOSE_GRACE_MS = 1500;

export interface Notice {
  event: NotifyEvent;
  trackId: string;
  reason: string | null;
  /** The commit the event is about: the head awaiting approval, the merged commit. */
  sha: string | null;
  /** The pull or merge request, where there is one. */
  url?: string | null;
}

/** The document on the command's stdin. */
export interface NotifyDocument {
  version: 1;
  event: NotifyEvent;
  at: string;
  repo: string;
  target: string;
  track: string;
  title: string | null;
  state: string | null;
  attempt: number | null;
  reason: string | null;
  sha: string | null;
  log: string | null;
  url: string | null;
}

export interface NotifierDeps {
  run: ProcessRunner;
  root: string;
  config: Config;
  store: StateStore;
  clock: Clock;
  /** One line about a notification that failed. */
  warn(trackId: string | null, text: string): void;
}

export class Notifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pending: NotifyDocument[] = [];
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly deps: NotifierDeps) {}

  /** Whether `event` is one the config asks to be told about. */
  wants(event: NotifyEvent): boolean {
    const { notify } = this.deps.config;
    return notify.command !== undefined && notify.on.includes(event);
  }

  emit(notice: Notice): void {
    if (this.closed || !this.wants(notice.event)) return;
    const doc = this.document(notice);
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      if (this.pending.length >= MAX_PENDING) {
        this.deps.warn(
          notice.trackId,
          `notify: ${MAX_PENDING} notifications already waiting; ${notice.event} not sent`,
        );
        return;
      }
      this.pending.push(doc);
      return;
    }
    this.start(doc);
  }

  /** Waits a little for what is running, then kills it; what never started is dropped. */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closed = true;
    if (this.inFlight.size || this.pending.length) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      const settled = (async () => {
        while (this.inFlight.size) await Promise.all([...this.inFlight]);
      })();
      await Promise.race([settled, grace]);
      clearTimeout(timer);
    }
    const left = this.inFlight.size + this.pending.length;
    this.pending.length = 0;
    this.abort.abort();
    await Promise.all([...this.inFlight]);
    if (left)
      this.deps.warn(
        null,
        `notify: ${left} notification(s) still running as the command ended were stopped`,
      );
  }

  private document(n: Notice): NotifyDocument {
    const { store, config, clock, root } = this.deps;
    const row = store.getTrack(n.trackId);
    const log = store.listRuns(n.trackId).at(-1)?.logPath ?? null;
    return {
      version: 1,
      event: n.event,
      at: clock.now().toISOString(),
      repo: root,
      target: config.target,
      track: n.trackId,
      title: row?.title ?? null,
      state: row?.state ?? null,
      attempt: row?.attempt ?? null,
      reason: n.reason,
      sha: n.sha,
      log,
      url: n.url ?? null,
    };
  }

  private start(doc: NotifyDocument): void {
    const [file, ...args] = this.deps.config.notify.command ?? [];
    if (file === undefined) return;
    const job = (async () => {
      try {
        const r = await this.deps.run(file, args, {
          cwd: this.deps.root,
          input: `${JSON.stringify(doc)}\n`,
          timeoutMs: this.deps.config.notify.timeoutSec * 1000,
          reject: false,
          detached: true,
          signal: this.abort.signal,
          maxBuffer: 64 * 1024,
        });
        if (this.abort.signal.aborted) return;
        if (r.timedOut)
          this.deps.warn(
            doc.track,
            `notify: ${file} did not finish within ${this.deps.config.notify.timeoutSec} s (${doc.event}); stopped`,
          );
        else if (r.exitCode !== 0)
          this.deps.warn(
            doc.track,
            `notify: ${file} failed (${doc.event}): exit ${r.exitCode ?? r.signal ?? '?'}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}`,
          );
      } catch (err) {
        if (!this.abort.signal.aborted)
          this.deps.warn(
            doc.track,
            `notify: ${file} could not run (${doc.event}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
          );
      }
    })();
    this.inFlight.add(job);
    void job.finally(() => {
      this.inFlight.delete(job);
      const next = this.pending.shift();
      if (next && !this.abort.signal.aborted) this.start(next);
    });
  }
}
