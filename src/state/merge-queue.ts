// The merge queue table: ready tracks waiting for their turn, oldest first, with the step a merge
// has reached so an interrupted merge can resume. The queue runner (src/merge/) owns the logic.

import type { StoreContext } from './context.js';
import { StateConflictError } from './errors.js';
import { toQueueEntry, type DbQueue, type QueueEntry } from './rows.js';
import { unknownTrack } from './tracks.js';

/** Adds the track at the back of the queue. False when it was already queued (its place is kept). */
export function enqueue(ctx: StoreContext, trackId: string): boolean {
  return ctx.write(() => {
    const exists = ctx
      .stmt<[string], number>('SELECT 1 FROM tracks WHERE id = ?')
      .pluck()
      .get(trackId);
    if (exists === undefined) throw unknownTrack(trackId);
    const added =
      ctx
        .stmt<[string, string]>(
          'INSERT OR IGNORE INTO merge_queue (track_id, enqueued_at) VALUES (?, ?)',
        )
        .run(trackId, ctx.now()).changes > 0;
    if (added) ctx.insertEvent({ trackId, type: 'queue.enqueued' });
    return added;
  });
}

/** Removes the track from the queue. False when it was not queued. */
export function dequeue(ctx: StoreContext, trackId: string): boolean {
  return ctx.write(() => {
    const removed =
      ctx.stmt<[string]>('DELETE FROM merge_queue WHERE track_id = ?').run(trackId).changes > 0;
    if (removed) ctx.insertEvent({ trackId, type: 'queue.dequeued' });
    return removed;
  });
}

export function listQueue(ctx: StoreContext): QueueEntry[] {
  return ctx
    .stmt<[], DbQueue>('SELECT * FROM merge_queue ORDER BY enqueued_at, rowid')
    .all()
    .map(toQueueEntry);
}

/** Records the step a merge reached (and the head it validated); `headSha` undefined keeps the old one. */
export function setQueueStep(
  ctx: StoreContext,
  trackId: string,
  step: string | null,
  headSha?: string | null,
): void {
  ctx.write(() => {
    const changes = ctx
      .stmt<[string | null, number, string | null, string]>(
        'UPDATE merge_queue SET step = ?, head_sha = CASE WHEN ? THEN ? ELSE head_sha END WHERE track_id = ?',
      )
      .run(step, headSha === undefined ? 0 : 1, headSha ?? null, trackId).changes;
    if (changes === 0) throw notQueued(trackId);
    ctx.insertEvent({
      trackId,
      type: 'queue.step',
      data: { step, ...(headSha === undefined ? {} : { headSha }) },
    });
  });
}

/** A paused entry keeps its place but is skipped by the queue runner. */
export function setQueuePaused(ctx: StoreContext, trackId: string, paused: boolean): void {
  ctx.write(() => {
    const changes = ctx
      .stmt<[number, string]>('UPDATE merge_queue SET paused = ? WHERE track_id = ?')
      .run(paused ? 1 : 0, trackId).changes;
    if (changes === 0) throw notQueued(trackId);
    ctx.insertEvent({ trackId, type: paused ? 'queue.paused' : 'queue.resumed' });
  });
}

function notQueued(trackId: string): StateConflictError {
  return new StateConflictError(
    `Track ${trackId}`,
    ['in the merge queue'],
    'not in the merge queue',
  );
}
