import { describe, expect, it } from 'vitest';
import {
  ALLOWED_TRANSITIONS,
  TRACK_STATES,
  canTransition,
  isActive,
  isTerminal,
  isTrackState,
} from '../../src/state/lifecycle.js';

describe('track lifecycle', () => {
  it('follows the happy path and the quality loop', () => {
    const happy = [
      'planned',
      'queued',
      'provisioning',
      'running',
      'validating',
      'ready',
      'merging',
      'merged',
    ] as const;
    for (let i = 1; i < happy.length; i++)
      expect(canTransition(happy[i - 1]!, happy[i]!)).toBe(true);
    expect(canTransition('validating', 'running')).toBe(true);
    expect(canTransition('planned', 'running')).toBe(false);
    expect(canTransition('merged', 'queued')).toBe(false);
  });

  it('only names known states, and never a move to the same state', () => {
    for (const from of TRACK_STATES) {
      for (const to of ALLOWED_TRANSITIONS[from]) {
        expect(isTrackState(to)).toBe(true);
        expect(to).not.toBe(from);
      }
    }
    expect(isTrackState('nope')).toBe(false);
  });

  it('has no dead ends: from every state a track can still get merged', () => {
    for (const start of TRACK_STATES) {
      const seen = new Set([start]);
      const todo = [start];
      while (todo.length > 0) {
        for (const next of ALLOWED_TRANSITIONS[todo.pop()!]) {
          if (!seen.has(next)) {
            seen.add(next);
            todo.push(next);
          }
        }
      }
      expect(seen.has('merged'), start).toBe(true);
    }
  });

  it('classifies terminal and active states', () => {
    expect(TRACK_STATES.filter(isTerminal)).toEqual([
      'merged',
      'failed',
      'conflicted',
      'blocked',
      'cancelled',
      'reverted',
    ]);
    expect(TRACK_STATES.filter(isActive)).toEqual([
      'provisioning',
      'running',
      'validating',
      'merging',
    ]);
  });
});
