// The speculative window's decisions (src/flow/window.ts): one row per rule, each failing if
// its rule changes.
import { describe, expect, it } from 'vitest';
import { adaptWindow, nextSlot, windowLimit, type NextSlotInput } from '../../src/flow/window.js';

describe('windowLimit', () => {
  it.each([
    ['auto on 1 core', 'auto', 1, 1],
    ['auto on 2 cores', 'auto', 2, 2],
    ['auto on 4 cores', 'auto', 4, 4],
    ['auto is clamped to 4 on a big machine', 'auto', 64, 4],
    ['auto with no core reported', 'auto', 0, 1],
    ['an integer is taken as it is', 8, 2, 8],
    ['1 is the serial queue', 1, 16, 1],
    ['at most 16', 40, 2, 16],
  ] as const)('%s', (_name, setting, cores, want) => {
    expect(windowLimit(setting, cores)).toBe(want);
  });
});

describe('adaptWindow', () => {
  it.each([
    ['a landing grows it by one', 2, 'landed', 4, 3],
    ['never past the limit', 4, 'landed', 4, 4],
    ['a setback halves it', 4, 'setback', 4, 2],
    ['an odd size halves down', 3, 'setback', 4, 1],
    ['never below one', 1, 'setback', 4, 1],
    ['a limit of one stays one', 1, 'landed', 1, 1],
  ] as const)('%s', (_name, size, event, limit, want) => {
    expect(adaptWindow(size, event, limit)).toBe(want);
  });
});

describe('nextSlot', () => {
  const t = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });
  const base: NextSlotInput = {
    order: [t('a'), t('b'), t('c')],
    merged: () => false,
    chain: [],
    excluded: new Set(),
    size: 4,
  };
  it.each([
    ['the oldest goes first', base, 'a'],
    ['then the next, on top of it', { ...base, chain: ['a'] }, 'b'],
    ['a full window takes nothing', { ...base, chain: ['a', 'b'], size: 2 }, null],
    ['an excluded track gives its place to the next', { ...base, excluded: new Set(['a']) }, 'b'],
    [
      'a track waits for a dependency that is neither merged nor ahead',
      { ...base, order: [t('a', 'x'), t('b')] },
      'b',
    ],
    [
      'a dependency ahead in the window counts as merged',
      { ...base, order: [t('b', 'a'), t('a')], chain: ['a'] },
      'b',
    ],
    [
      'a merged dependency counts',
      { ...base, order: [t('b', 'x')], merged: (id: string) => id === 'x' },
      'b',
    ],
    [
      'a dependency predicted to leave takes its dependents out with it',
      { ...base, order: [t('a'), t('b', 'a')], excluded: new Set(['a']) },
      null,
    ],
    ['nothing left', { ...base, chain: ['a', 'b', 'c'] }, null],
  ] as const)('%s', (_name, input, want) => {
    expect(nextSlot(input)).toBe(want);
  });
});
