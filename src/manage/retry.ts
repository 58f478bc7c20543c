// Retrying a track: a failed or conflicted track goes back to `queued` with a fresh set of
// attempts (the last ones were used up); its worktree and commits stay, and the feedback of
// what failed goes to its agent. Shared by `ym implement --retry` and the status view's `r`.
import type { TrackState } from '../state/lifecycle.js';
import type { StateStore } from '../state/store.js';

export const RETRYABLE: readonly TrackState[] = ['failed', 'conflicted'];

export function canRetry(state: TrackState): boolean {
  return RETRYABLE.includes(state);
}

/** Queues the track again; throws StateConflictError if another process moved it first. */
export function retryTrack(store: StateStore, id: string, reason: string): void {
  store.transition(id, 'queued', { from: [...RETRYABLE], reason, patch: { attempt: 0 } });
}
