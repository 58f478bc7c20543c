// The scheduler's pass (src/flow/schedule.ts) and the dependency rules (src/flow/graph.ts):
// one row per rule, each failing if its rule changes.
import { describe, expect, it } from 'vitest';
import { deadDependency, dependenciesMerged, unmergedDependencies } from '../../src/flow/graph.js';
import { schedulePass, type PassDecision, type PassInput } from '../../src/flow/schedule.js';
import { scopeOverlap } from '../../src/flow/overlap.js';
import type { TrackState } from '../../src/state/lifecycle.js';

type T = [id: string, state: TrackState, deps?: string[]];
function pass(
  tracks: T[],
  opts: {
    active?: string[];
    offered?: string[];
    merging?: boolean;
    outside?: [string, TrackState][];
  } = {},
) {
  const list = tracks.map(([id, state, deps = []]) => ({ id, state, dependsOn: deps }));
  const input: PassInput = {
    tracks: list,
    states: new Map([...list.map((t) => [t.id, t.state] as const), ...(opts.outside ?? [])]),
    active: new Set(opts.active ?? []),
    offered: new Set(opts.offered ?? []),
    merging: opts.merging ?? true,
  };
  return schedulePass(input);
}

describe('schedulePass', () => {
  const rows: [string, ReturnType<typeof pass>, PassDecision[], boolean][] = [
    [
      'a planned track with no dependencies is claimed and started',
      pass([['a', 'planned']]),
      [{ kind: 'start', id: 'a', claim: true }],
      false,
    ],
    [
      'a queued or interrupted track starts without a claim',
      pass([
        ['a', 'queued'],
        ['b', 'interrupted'],
      ]),
      [
        { kind: 'start', id: 'a', claim: false },
        { kind: 'start', id: 'b', claim: false },
      ],
      false,
    ],
    [
      'a track waits while a dependency is not merged',
      pass(
        [
          ['a', 'running'],
          ['b', 'planned', ['a']],
        ],
        { active: ['a'] },
      ),
      [],
      false,
    ],
    [
      'a track starts once its dependencies are merged',
      pass([
        ['a', 'merged'],
        ['b', 'planned', ['a']],
      ]),
      [{ kind: 'start', id: 'b', claim: true }],
      false,
    ],
    [
      'a dependency outside the selection counts',
      pass([['b', 'planned', ['x']]], { outside: [['x', 'merged']] }),
      [{ kind: 'start', id: 'b', claim: true }],
      false,
    ],
    [
      'a failed dependency blocks, and the block reaches dependents of dependents in the same pass',
      pass([
        ['a', 'failed'],
        ['b', 'planned', ['a']],
        ['c', 'planned', ['b']],
      ]),
      [
        { kind: 'block', id: 'b', from: 'planned', reason: 'dependency a is failed' },
        { kind: 'block', id: 'c', from: 'planned', reason: 'dependency b is blocked' },
      ],
      true,
    ],
    [
      'an interrupted track behind a dead end stays interrupted (resumable)',
      pass([
        ['a', 'conflicted'],
        ['b', 'interrupted', ['a']],
      ]),
      [],
      false,
    ],
    [
      'a blocked track whose dependency is no longer a dead end is unblocked, not started in that pass',
      pass([
        ['a', 'queued'],
        ['b', 'blocked', ['a']],
      ]),
      [
        { kind: 'start', id: 'a', claim: false },
        { kind: 'unblock', id: 'b' },
      ],
      true,
    ],
    [
      'a blocked track behind a dead end stays blocked',
      pass([
        ['a', 'cancelled'],
        ['b', 'blocked', ['a']],
      ]),
      [],
      false,
    ],
    [
      'a ready track is offered to the queue once',
      pass(
        [
          ['a', 'ready'],
          ['b', 'ready'],
        ],
        { offered: ['b'] },
      ),
      [{ kind: 'offer', id: 'a' }],
      false,
    ],
    [
      'without a merge queue a ready track is left alone',
      pass([['a', 'ready']], { merging: false }),
      [],
      false,
    ],
    [
      'an active track is never decided again',
      pass(
        [
          ['a', 'queued'],
          ['b', 'ready'],
        ],
        { active: ['a', 'b'] },
      ),
      [],
      false,
    ],
    [
      'merged, failed and running tracks are left alone',
      pass([
        ['a', 'merged'],
        ['b', 'failed'],
        ['c', 'running'],
      ]),
      [],
      false,
    ],
  ];
  it.each(rows)('%s', (_name, got, decisions, changed) => {
    expect(got).toEqual({ decisions, changed });
  });
});

describe('dependency rules', () => {
  const states = new Map<string, TrackState>([
    ['m', 'merged'],
    ['r', 'ready'],
    ['f', 'failed'],
    ['v', 'reverted'],
  ]);
  const of = (id: string) => states.get(id);
  it.each([
    ['no dependencies: merged', [], true, undefined, []],
    ['all merged', ['m'], true, undefined, []],
    ['one ready: not merged', ['m', 'r'], false, undefined, ['r']],
    ['an unknown dependency is not merged and not a dead end', ['zz'], false, undefined, ['zz']],
    ['failed is a dead end', ['r', 'f'], false, 'f', ['r', 'f']],
    ['reverted is a dead end', ['v'], false, 'v', ['v']],
  ] as const)('%s', (_name, deps, merged, dead, unmerged) => {
    expect(dependenciesMerged({ dependsOn: deps }, of)).toBe(merged);
    expect(deadDependency({ dependsOn: deps }, of)).toBe(dead);
    expect(unmergedDependencies({ dependsOn: deps }, of)).toEqual(unmerged);
  });
});

describe('schedulePass with scheduling.overlap', () => {
  const scopes = new Map<string, string[]>([
    ['a', ['src/registry.js']],
    ['b', ['src/']],
    ['c', ['docs/x.md']],
    ['d', ['src/registry.js']],
  ]);
  const run = (tracks: T[], overlap: 'serialize' | 'allow', active: string[] = []) => {
    const list = tracks.map(([id, state, deps = []]) => ({ id, state, dependsOn: deps }));
    return schedulePass({
      tracks: list,
      states: new Map(list.map((t) => [t.id, t.state])),
      active: new Set(active),
      offered: new Set(),
      merging: true,
      overlap,
      scopes,
    }).decisions;
  };
  it.each([
    [
      'a track overlapping a running one waits for it',
      [
        ['a', 'running'],
        ['b', 'planned'],
      ],
      'serialize',
      ['a'],
      [{ kind: 'wait', id: 'b', on: 'a', paths: ['src'] }],
    ],
    [
      'ready and merging tracks hold it too (their changes are not in the target yet)',
      [
        ['a', 'ready'],
        ['d', 'planned'],
      ],
      'serialize',
      [],
      [
        { kind: 'offer', id: 'a' },
        { kind: 'wait', id: 'd', on: 'a', paths: ['src/registry.js'] },
      ],
    ],
    [
      'two overlapping tracks in one pass: the first starts, the second waits for it',
      [
        ['a', 'planned'],
        ['d', 'planned'],
      ],
      'serialize',
      [],
      [
        { kind: 'start', id: 'a', claim: true },
        { kind: 'wait', id: 'd', on: 'a', paths: ['src/registry.js'] },
      ],
    ],
    [
      'two queued overlapping tracks (claimed, not running) do not hold each other for ever',
      [
        ['a', 'queued'],
        ['d', 'queued'],
      ],
      'serialize',
      [],
      [
        { kind: 'start', id: 'a', claim: false },
        { kind: 'wait', id: 'd', on: 'a', paths: ['src/registry.js'] },
      ],
    ],
    [
      'a track with a scope of its own starts',
      [
        ['a', 'running'],
        ['c', 'planned'],
      ],
      'serialize',
      ['a'],
      [{ kind: 'start', id: 'c', claim: true }],
    ],
    [
      'merged and failed tracks hold nothing',
      [
        ['a', 'merged'],
        ['d', 'failed'],
        ['b', 'planned'],
      ],
      'serialize',
      [],
      [{ kind: 'start', id: 'b', claim: true }],
    ],
    [
      'an interrupted track resumes whatever overlaps it',
      [
        ['a', 'running'],
        ['b', 'interrupted'],
      ],
      'serialize',
      ['a'],
      [{ kind: 'start', id: 'b', claim: false }],
    ],
    [
      'allow: it starts at once',
      [
        ['a', 'running'],
        ['b', 'planned'],
      ],
      'allow',
      ['a'],
      [{ kind: 'start', id: 'b', claim: true }],
    ],
  ] as const)('%s', (_name, tracks, overlap, active, want) => {
    expect(run(tracks as unknown as T[], overlap, [...active])).toEqual(want);
  });

  it.each([
    ['the same file', ['src/a.js'], ['src/a.js'], ['src/a.js']],
    ['a file under a directory, either way round', ['src/a.js', 'b.md'], ['src/'], ['src/a.js']],
    ['a directory over files', ['./src/'], ['src/x/y.js'], ['src']],
    ['siblings with a common prefix do not overlap', ['src/a'], ['src/ab.js'], []],
    ['no scope: no prediction', [], ['src/'], []],
  ])('scopeOverlap: %s', (_name, a, b, want) => {
    expect(scopeOverlap(a, b)).toEqual(want);
  });
});
