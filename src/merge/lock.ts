// The merge lock: one change to the target at a time, across processes (a lease lock in
// state.db, renewed while held). The merge queue and revert both land through it.
import type { RunEnv } from '../run/env.js';
import { isAliveHere } from '../run/provision.js';
import { sleep } from '../run/sleep.js';

export const MERGE_LOCK = 'merge-queue';
const LOCK_STALE_MS = 60_000;

/** Runs `fn` holding the merge lock; null when interrupted while waiting for it. */
export async function withMergeLock<T>(env: RunEnv, fn: () => Promise<T>, onWait?: () => void): Promise<T | null> {
  const { store, holder, ctx } = env;
  let waited = false;
  while (!store.acquireLock(MERGE_LOCK, holder, { staleAfterMs: LOCK_STALE_MS, isAlive: isAliveHere })) {
    if (ctx.signal.aborted) return null;
    if (!waited) onWait?.();
    waited = true;
    await sleep(200, ctx.signal);
  }
  const renew = setInterval(() => store.renewLock(MERGE_LOCK, holder.id), 5_000);
  renew.unref();
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    store.releaseLock(MERGE_LOCK, holder.id);
  }
}
