// One pass of the scheduler over the tracks, decided: which ready track to offer to the merge
// queue, which to block behind a dead-end dependency, which to unblock, which to start. The
// engine applies the decisions in order (each a compare-and-swap that may lose to another
// process) and passes again while a pass changed something. Pure.
import type { TrackState } from '../state/lifecycle.js';
import { deadDependency, dependenciesMerged } from './graph.js';
import { scopeOverlap } from './overlap.js';

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
  /**
   * `serialize`: a track whose declared scope overlaps a track that is running, ready or
   * merging waits until that one merges, then starts from the new target. `allow`: it starts.
   */
  overlap?: 'serialize' | 'allow';
  /** Declared scopes by track id (tracks without one are never held for overlap). */
  scopes?: ReadonlyMap<string, readonly string[]>;
}

export type PassDecision =
  | { kind: 'offer'; id: string }
  | { kind: 'block'; id: string; from: TrackState; reason: string }
  | { kind: 'unblock'; id: string }
  /** `claim`: planned -> queued first; then the track runs. */
  | { kind: 'start'; id: string; claim: boolean }
  /** Held back: its scope overlaps `on`'s (in `paths`), which has not merged yet. */
  | { kind: 'wait'; id: string; on: string; paths: string[] };

/**
 * States of a track whose changes are on their way to the target: overlapping tracks wait for
 * them. (A queued track is in flight once an engine runs it: `active`, or started in this pass.)
 */
const IN_FLIGHT: readonly TrackState[] = [
  'provisioning',
  'running',
  'validating',
  'ready',
  'merging',
  'interrupted',
];

const WAITING: readonly TrackState[] = ['planned', 'queued', 'interrupted'];

export function schedulePass(input: PassInput): { decisions: PassDecision[]; changed: boolean } {
  const states = new Map(input.states);
  const stateOf = (id: string) => states.get(id);
  const decisions: PassDecision[] = [];
  const started = new Set<string>();
  const inFlight = (id: string, s: TrackState) =>
    IN_FLIGHT.includes(s) || input.active.has(id) || started.has(id);
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
        decisions.push({
          kind: 'block',
          id: t.id,
          from: state,
          reason: `dependency ${dead} is ${stateOf(dead)}`,
        });
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
    // An interrupted track has work on its branch already: it resumes whatever overlaps it.
    if (input.overlap === 'serialize' && state !== 'interrupted') {
      const mine = input.scopes?.get(t.id);
      const blocker = mine?.length
        ? [...states].find(
            ([id, s]) =>
              id !== t.id &&
              inFlight(id, s) &&
              scopeOverlap(mine, input.scopes?.get(id)).length > 0,
          )
        : undefined;
      if (blocker) {
        decisions.push({
          kind: 'wait',
          id: t.id,
          on: blocker[0],
          paths: scopeOverlap(mine, input.scopes?.get(blocker[0])),
        });
        continue;
      }
    }
    decisions.push({ kind: 'start', id: t.id, claim: state === 'planned' });
    // Started in this pass: the tracks after it that overlap it wait for it.
    started.add(t.id);
  }
  return { decisions, changed };
}
