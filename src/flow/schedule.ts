// One pass of the scheduler over the tracks, decided: which ready track to offer to the merge
// queue, which to block behind a dead-end dependency, which to unblock, which to start. The
// engine applies the decisions in order (each a compare-and-swap that may lose to another
// process) and passes again while a pass changed something. Pure.
import type { TrackState } from '../state/lifecycle.js';
import { deadDependency, dependenciesMerged } from './graph.js';

export interface PassTrack {
  id: string;
  state: TrackState;
  dependsOn: readonly string[];
}

export interface PassInput {
  /** The selected tracks, in dependency order. */
  tracks: readonly PassTrack[];
  /** The state of every track (dependencies may lie outside the selection). */
  states: ReadonlyMap<string, TrackState>;
  /** Tracks this engine is running or offering now. */
  active: ReadonlySet<string>;
  /** Ready tracks already offered to the merge queue in this run. */
  offered: ReadonlySet<string>;
  /** Whether a merge queue takes ready tracks in this run. */
  merging: boolean;
}

export type PassDecision =
  | { kind: 'offer'; id: string }
  | { kind: 'block'; id: string; from: TrackState; reason: string }
  | { kind: 'unblock'; id: string }
  /** `claim`: planned -> queued first; then the track runs. */
  | { kind: 'start'; id: string; claim: boolean };

const WAITING: readonly TrackState[] = ['planned', 'queued', 'interrupted'];

export function schedulePass(input: PassInput): { decisions: PassDecision[]; changed: boolean } {
  const states = new Map(input.states);
  const stateOf = (id: string) => states.get(id);
  const decisions: PassDecision[] = [];
  let changed = false;
  for (const t of input.tracks) {
    const state = states.get(t.id) ?? t.state;
    // Ready tracks left by an earlier run (or a crash before they reached the queue).
    if (state === 'ready' && input.merging && !input.active.has(t.id) && !input.offered.has(t.id)) {
      decisions.push({ kind: 'offer', id: t.id });
      continue;
    }
    if (input.active.has(t.id) || !(WAITING.includes(state) || state === 'blocked')) continue;
    const dead = deadDependency(t, stateOf);
    if (dead) {
      // An interrupted track keeps its state (its work is resumable); a blocked one stays so.
      if (state !== 'interrupted' && state !== 'blocked') {
        decisions.push({ kind: 'block', id: t.id, from: state, reason: `dependency ${dead} is ${stateOf(dead)}` });
        states.set(t.id, 'blocked');
        changed = true;
      }
      continue;
    }
    // Blocked by a dependency that is no longer a dead end (retried, or merged by hand): back
    // to waiting for its dependencies like any planned track.
    if (state === 'blocked') {
      decisions.push({ kind: 'unblock', id: t.id });
      states.set(t.id, 'planned');
      changed = true;
      continue;
    }
    if (!dependenciesMerged(t, stateOf)) continue;
    decisions.push({ kind: 'start', id: t.id, claim: state === 'planned' });
  }
  return { decisions, changed };
}
