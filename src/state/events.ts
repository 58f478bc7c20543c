// The append-only event log: reading it, and appending events that are not part of a state change.

import type { NewEvent, StoreContext } from './context.js';
import { toEventRow, type DbEvent, type EventRow } from './rows.js';

export interface ListEventsOptions {
  trackId?: string;
  /** Only events with a larger id (for tailing: pass the last id you saw). */
  afterId?: number;
  /** At most this many, oldest first. */
  limit?: number;
}

export function appendEvent(ctx: StoreContext, event: NewEvent): number {
  return ctx.write(() => ctx.insertEvent(event));
}

/** Events in log order (ascending id). */
export function listEvents(ctx: StoreContext, opts: ListEventsOptions = {}): EventRow[] {
  // One fixed statement: NULL parameters switch the filters off.
  const rows = ctx
    .stmt<[{ trackId: string | null; afterId: number; limit: number }], DbEvent>(
      `SELECT * FROM events
       WHERE (@trackId IS NULL OR track_id = @trackId) AND id > @afterId
       ORDER BY id LIMIT @limit`,
    )
    .all({ trackId: opts.trackId ?? null, afterId: opts.afterId ?? 0, limit: opts.limit ?? -1 });
  return rows.map(toEventRow);
}

export function lastEventId(ctx: StoreContext): number {
  return ctx.stmt<[], number>('SELECT COALESCE(MAX(id), 0) FROM events').pluck().get() ?? 0;
}

/** The usage records of every run (`agent.usage`, `agent.usage.live`), with the run's attempt. */
export function listUsageEvents(ctx: StoreContext): (EventRow & { attempt: number | null })[] {
  const rows = ctx
    .stmt<[], DbEvent & { attempt: number | null }>(
      `SELECT e.*, r.attempt AS attempt FROM events e LEFT JOIN runs r ON r.id = e.run_id
       WHERE e.type IN ('agent.usage', 'agent.usage.live') ORDER BY e.id`,
    )
    .all();
  return rows.map((r) => ({ ...toEventRow(r), attempt: r.attempt }));
}
