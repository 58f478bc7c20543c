// Named locks with a lease, shared by every process on the same state.db (e.g. "merge": one merge at
// a time). A holder renews its heartbeat; a lock whose heartbeat is stale, or whose holder is a
// dead pid on this host, can be taken over.

import type { StoreContext } from './context.js';
import { toLockRow, type DbLock, type LockRow } from './rows.js';
import type { StaleOptions } from './runs.js';

export interface LockHolder {
  id: string;
  pid: number;
  host: string;
}

/** True when `holder` now holds the lock (free, stale, abandoned, or already its own). */
export function acquireLock(
  ctx: StoreContext,
  name: string,
  holder: LockHolder,
  opts: StaleOptions,
): boolean {
  return ctx.write(() => {
    const now = ctx.now();
    const current = getLock(ctx, name);
    if (current !== undefined && current.holder !== holder.id) {
      const why = takeoverReason(ctx, current, holder, opts);
      if (why === undefined) return false;
      ctx.insertEvent({
        type: 'lock.takeover',
        data: {
          name,
          why,
          previous: {
            holder: current.holder,
            pid: current.pid,
            host: current.host,
            heartbeatAt: current.heartbeatAt,
          },
          holder: { ...holder },
        },
      });
    }
    const acquiredAt =
      current !== undefined && current.holder === holder.id ? current.acquiredAt : now;
    ctx
      .stmt(
        `INSERT INTO locks (name, holder, pid, host, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      )
      .run(name, holder.id, holder.pid, holder.host, acquiredAt, now);
    return true;
  });
}

/** Refreshes the heartbeat. False when `holderId` no longer holds the lock (it was taken over). */
export function renewLock(ctx: StoreContext, name: string, holderId: string): boolean {
  return ctx.write(
    () =>
      ctx
        .stmt<[string, string, string]>(
          'UPDATE locks SET heartbeat_at = ? WHERE name = ? AND holder = ?',
        )
        .run(ctx.now(), name, holderId).changes > 0,
  );
}

/** False when `holderId` did not hold it; someone else's lock is never released. */
export function releaseLock(ctx: StoreContext, name: string, holderId: string): boolean {
  return ctx.write(
    () =>
      ctx
        .stmt<[string, string]>('DELETE FROM locks WHERE name = ? AND holder = ?')
        .run(name, holderId).changes > 0,
  );
}

export function getLock(ctx: StoreContext, name: string): LockRow | undefined {
  const row = ctx.stmt<[string], DbLock>('SELECT * FROM locks WHERE name = ?').get(name);
  return row === undefined ? undefined : toLockRow(row);
}

function takeoverReason(
  ctx: StoreContext,
  current: LockRow,
  holder: LockHolder,
  opts: StaleOptions,
): 'stale' | 'dead' | undefined {
  const beat = Date.parse(current.heartbeatAt);
  if (Number.isNaN(beat) || beat < ctx.nowMs() - opts.staleAfterMs) return 'stale';
  // A pid can only be checked on its own host; on another host only the heartbeat counts.
  if (current.host === holder.host && !opts.isAlive(current.pid, current.host)) return 'dead';
  return undefined;
}
