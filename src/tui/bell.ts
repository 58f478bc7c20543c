// `--notify-bell`: which new events ring the terminal bell in the live view. The same events
// `notify.on` chooses for notify.command: a track that failed, conflicted, merged, or waits for
// an approval. Pure.
import type { NotifyEvent } from '../config/schema.js';
import type { EventRow } from '../state/rows.js';

/** The notify event an event of the log stands for, if any. */
export function notifyEventOf(e: Pick<EventRow, 'type' | 'data'>): NotifyEvent | null {
  if (e.type === 'track.awaiting-approval') return 'awaiting-approval';
  if (e.type !== 'track.state') return null;
  const to = (e.data as { to?: unknown } | null)?.to;
  return to === 'failed' || to === 'conflicted' || to === 'merged' ? to : null;
}

/** Whether any of these new events is one to ring for. */
export function shouldRing(
  events: readonly Pick<EventRow, 'type' | 'data'>[],
  on: readonly NotifyEvent[],
): boolean {
  return events.some((e) => {
    const n = notifyEventOf(e);
    return n !== null && on.includes(n);
  });
}
