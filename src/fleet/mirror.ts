// Each machine's state.db mirrors what the fleet did: a track is moved to the state the engine
// reports by the shortest legal path through the lifecycle (src/state/lifecycle.ts), each step
// a transition with its event, so `ym status`, `review` and `revert` read it as they read the
// local engine's. Nothing here decides: the state to reach comes from a job's result.
import { ALLOWED_TRANSITIONS, type TrackState } from '../state/lifecycle.js';
import type { StateStore } from '../state/store.js';
import type { TransitionOptions } from '../state/tracks.js';

/** States a mirrored track passes through only when there is no other way: they say things. */
const AVOIDED: ReadonlySet<TrackState> = new Set<TrackState>([
  'failed',
  'cancelled',
  'conflicted',
  'blocked',
  'merged',
  'reverted',
]);

/** The steps from `from` to `to` (`to` last), shortest, through telling states only if need be. */
export function lifecyclePath(from: TrackState, to: TrackState): TrackState[] | null {
  return search(from, to, AVOIDED) ?? search(from, to, new Set());
}

function search(
  from: TrackState,
  to: TrackState,
  avoided: ReadonlySet<TrackState>,
): TrackState[] | null {
  if (from === to) return [];
  const prev = new Map<TrackState, TrackState>();
  const seen = new Set<TrackState>([from]);
  const todo: TrackState[] = [from];
  while (todo.length) {
    const s = todo.shift()!;
    for (const n of ALLOWED_TRANSITIONS[s]) {
      if (seen.has(n)) continue;
      seen.add(n);
      prev.set(n, s);
      if (n === to) {
        const out: TrackState[] = [n];
        for (let p = prev.get(n)!; p !== from; p = prev.get(p)!) out.unshift(p);
        return out;
      }
      if (!avoided.has(n)) todo.push(n);
    }
  }
  return null;
}

/**
 * Moves the track to `to` (the last step carries `opts`); the steps before it say they mirror
 * the fleet. Returns false when the lifecycle has no way there (left as it is).
 */
export function mirrorState(
  store: StateStore,
  trackId: string,
  to: TrackState,
  opts: Omit<TransitionOptions, 'from'> = {},
): boolean {
  const row = store.getTrack(trackId);
  if (!row) return false;
  if (row.state === to) {
    if (opts.patch) store.patchTrack(trackId, opts.patch);
    return true;
  }
  const steps = lifecyclePath(row.state, to);
  if (!steps) return false;
  store.atomically(() => {
    let from = row.state;
    for (const [i, s] of steps.entries()) {
      const last = i === steps.length - 1;
      store.transition(
        trackId,
        s,
        last ? { ...opts, from } : { from, reason: 'mirrored from the fleet' },
      );
      from = s;
    }
  });
  return true;
}
