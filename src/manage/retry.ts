// Retrying a track: a failed or conflicted track goes back to `queued` with a fresh set of
// attempts (the last ones were used up); its worktree and commits stay, and the feedback of
// what failed goes to its agent. Shared by `ym implement --retry` and the status view's `r`.
import type { TrackState } from '../state/lifecycle.js';
import type { StateStore } from '../state/store.js';
import { decideRetry } from '../flow/attempts.js';

export const RETRYABLE: readonly TrackState[] = ['failed', 'conflicted'];

export function canRetry(state: TrackState): boolean {
  return RETRYABLE.includes(state);
}

/**
 * Queues the track again, and leaves its agent the feedback of why it stopped (the conflict to
 * resolve, or the last failure), as the merge queue does when it hands a track back. Throws
 * StateConflictError if another process moved it first.
 */
export function retryTrack(store: StateStore, id: string, reason: string): void {
  store.atomically(() => {
    const track = store.getTrack(id);
    // The last attempt's own feedback (the failed checks with their output), when the run kept it.
    const last = store
      .listEvents({ trackId: id })
      .findLast(
        (e) => e.type === 'track.state' && (e.data as { to?: string } | null)?.to === 'failed',
      );
    const lastFeedback = (last?.data as { feedback?: string } | null)?.feedback ?? null;
    const state = track?.state === 'conflicted' ? 'conflicted' : 'failed';
    const { attempt, feedback: text } = decideRetry({
      state,
      reason: track?.reason ?? null,
      lastFeedback,
    });
    store.transition(id, 'queued', { from: [...RETRYABLE], reason, patch: { attempt } });
    store.appendEvent({ trackId: id, type: 'track.feedback', data: { text } });
  });
}
