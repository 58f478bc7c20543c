// Retrying a track: a failed or conflicted track goes back to `queued` with a fresh set of
// attempts (the last ones were used up); its worktree and commits stay, and the feedback of
// what failed goes to its agent. Shared by `ym implement --retry` and the status view's `r`.
import type { TrackState } from '../state/lifecycle.js';
import type { StateStore } from '../state/store.js';

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
    const why = (track?.reason ?? 'no reason was recorded').replace(/\.$/, '');
    // The last attempt's own feedback (the failed checks with their output), when the run kept it.
    const last = store.listEvents({ trackId: id }).findLast((e) => e.type === 'track.state' && (e.data as { to?: string } | null)?.to === 'failed');
    const detail = (last?.data as { feedback?: string } | null)?.feedback;
    const text =
      track?.state === 'conflicted'
        ? `Merging this track stopped: it ${why}.\nRebase your branch onto the target branch ($YM_TARGET: git rebase "$YM_TARGET"), resolve the conflicts keeping both changes' intent, and commit.`
        : `This track failed before it was retried: ${why}.\n${detail ? `\n${detail}\n\n` : ''}Fix what made it fail, and commit.`;
    store.transition(id, 'queued', { from: [...RETRYABLE], reason, patch: { attempt: 0 } });
    store.appendEvent({ trackId: id, type: 'track.feedback', data: { text } });
  });
}
