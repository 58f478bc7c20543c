// Global key-value settings shared by every process on state.db (the `meta` table), such as the
// merge queue's `queue.paused` flag that `status` sets and the queue runner honours.

import type { NewEvent, StoreContext } from './context.js';

/** Keys other parts of yardmaster rely on. */
export const META_QUEUE_PAUSED = 'queue.paused';

export function getMeta(ctx: StoreContext, key: string): string | undefined {
  return ctx.stmt<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(key);
}

/**
 * Sets (or with `null` removes) a key. `event`, when given, is appended in the same transaction,
 * so watchers polling the event log see the change and history records who made it.
 */
export function setMeta(
  ctx: StoreContext,
  key: string,
  value: string | null,
  event?: NewEvent,
): void {
  ctx.write(() => {
    if (value === null) ctx.stmt<[string]>('DELETE FROM meta WHERE key = ?').run(key);
    else {
      ctx
        .stmt<[string, string]>(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(key, value);
    }
    if (event !== undefined) ctx.insertEvent(event);
  });
}
