// Leases in state.db, the one way processes keep each other out: a named lock (the merge queue,
// worktree registration) held while a piece of work runs, and a run's lease (its heartbeat,
// with the cancel requests addressed to it). A holder that stops renewing, or whose pid is gone
// on this host, is stale and may be taken over. Waits and deadlines run on the context's clock.
import os from 'node:os';
import { WorkFailedError } from '../core/errors.js';
import { isAlive } from '../proc/run.js';
import type { RunEnv } from './env.js';
import { sleep } from './sleep.js';

/** A lease holder on another host is assumed alive (only its heartbeat can tell). */
export function isAliveHere(pid: number, host: string): boolean {
  return host !== os.hostname() || isAlive(pid);
}

export interface LockSpec {
  name: string;
  /** A holder that has not renewed for this long is stale. */
  staleAfterMs: number;
  /** How often the holder renews while it holds the lock (0: never, for short work). */
  renewEveryMs: number;
  /** How often a waiter tries again. */
  pollMs: number;
  /** Give up waiting after this long, with this message; undefined: wait until interrupted. */
  waitLimit?: { ms: number; message: string };
}

/** One change to the target at a time, across processes: the merge queue and revert. */
export const MERGE_LOCK: LockSpec = {
  name: 'merge-queue',
  staleAfterMs: 60_000,
  renewEveryMs: 5_000,
  pollMs: 200,
};

/** git's worktree registration, one process at a time (git's own locks race). */
export const WORKTREE_LOCK: LockSpec = {
  name: 'worktrees',
  staleAfterMs: 120_000,
  renewEveryMs: 0,
  pollMs: 50,
  waitLimit: {
    ms: 60_000,
    message: 'Timed out waiting for another yardmaster process to finish creating a worktree.',
  },
};

/**
 * Runs `fn` holding the lock; null when the run was interrupted while waiting for it (never
 * while holding it: `fn` decides what an interruption means for its work).
 */
export async function withLock<T>(
  env: RunEnv,
  spec: LockSpec,
  fn: () => Promise<T>,
  onWait?: () => void,
): Promise<T | null> {
  const { store, holder, ctx } = env;
  const now = () => ctx.clock.now().getTime();
  const deadline = spec.waitLimit ? now() + spec.waitLimit.ms : Infinity;
  let waited = false;
  while (
    !store.acquireLock(spec.name, holder, { staleAfterMs: spec.staleAfterMs, isAlive: isAliveHere })
  ) {
    if (ctx.signal.aborted) return null;
    if (now() > deadline) throw new WorkFailedError(spec.waitLimit!.message);
    if (!waited) onWait?.();
    waited = true;
    await sleep(spec.pollMs, ctx.signal);
  }
  const renew =
    spec.renewEveryMs > 0
      ? setInterval(() => store.renewLock(spec.name, holder.id), spec.renewEveryMs)
      : null;
  renew?.unref();
  try {
    return await fn();
  } finally {
    if (renew) clearInterval(renew);
    store.releaseLock(spec.name, holder.id);
  }
}

/** Runs `fn` holding the merge lock; null when interrupted while waiting for it. */
export function withMergeLock<T>(
  env: RunEnv,
  fn: () => Promise<T>,
  onWait?: () => void,
): Promise<T | null> {
  return withLock(env, MERGE_LOCK, fn, onWait);
}

/** How often a run renews its lease and looks for a cancel request. */
export const RUN_LEASE_POLL_MS = 1_000;
/** A run whose lease was not renewed for this long is stale even if its pid seems alive (another host, pid reuse). */
export const RUN_STALE_AFTER_MS = 30_000;

/** Renews a run's lease and watches for a cancel request while the run lasts. */
export class RunLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private seen: number;
  constructor(
    private readonly env: RunEnv,
    private readonly trackId: string,
    private runId: number,
  ) {
    this.seen = env.store.lastEventId();
    this.timer = setInterval(() => this.tick(), RUN_LEASE_POLL_MS);
    this.timer.unref();
  }

  /** The track's next run holds the lease from now on; a cancel request already made still counts. */
  switchTo(runId: number): void {
    this.runId = runId;
    this.tick();
  }

  /** Aborted when the user asks to cancel this track (a `request.cancel` event). */
  get cancelled(): AbortSignal {
    return this.controller.signal;
  }

  private tick(): void {
    try {
      this.env.store.heartbeat(this.runId);
      for (const e of this.env.store.listEvents({ trackId: this.trackId, afterId: this.seen })) {
        this.seen = e.id;
        if (e.type === 'request.cancel') this.controller.abort();
      }
    } catch {
      // A busy database for a moment is not a reason to stop; the next tick tries again.
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
