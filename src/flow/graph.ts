// The dependency rules the scheduler, the merge queue and `merge --dry-run` share: when a
// track's dependencies are merged, and which dependency makes it a dead end. Pure.
import type { TrackState } from '../state/lifecycle.js';

/** States a dependency does not come back from by itself: its dependents are blocked. */
export const DEAD_ENDS: readonly TrackState[] = [
  'failed',
  'blocked',
  'cancelled',
  'conflicted',
  'reverted',
];

export type StateOf = (id: string) => TrackState | undefined;

export function dependenciesMerged(
  track: { dependsOn: readonly string[] },
  stateOf: StateOf,
): boolean {
  return track.dependsOn.every((d) => stateOf(d) === 'merged');
}

/** The dependencies not merged yet, in their declared order. */
export function unmergedDependencies(
  track: { dependsOn: readonly string[] },
  stateOf: StateOf,
): string[] {
  return track.dependsOn.filter((d) => stateOf(d) !== 'merged');
}

/** The first dependency that is a dead end, or undefined. */
export function deadDependency(
  track: { dependsOn: readonly string[] },
  stateOf: StateOf,
): string | undefined {
  return track.dependsOn.find((d) => {
    const s = stateOf(d);
    return s !== undefined && DEAD_ENDS.includes(s);
  });
}
