// The merge queue's decisions (src/flow/queue.ts) and the attempts policy (src/flow/attempts.ts):
// one row per rule, each failing if its rule changes.
import { describe, expect, it } from 'vitest';
import { approvedShaOf, decideApproval } from '../../src/flow/approval.js';
import {
  decideMergeSetback,
  decideReject,
  decideRetry,
  mayTryAgain,
} from '../../src/flow/attempts.js';
import {
  decideMergeStep,
  nextQueueItem,
  type MergePolicy,
  type MergeStepResult,
} from '../../src/flow/queue.js';
import type { TrackState } from '../../src/state/lifecycle.js';

const tracks = (rows: [string, TrackState, string[]?][]) =>
  new Map(rows.map(([id, state, deps = []]) => [id, { state, dependsOn: deps }]));
const q = (...ids: string[]) => ids.map((trackId) => ({ trackId, paused: false }));

describe('nextQueueItem', () => {
  const base = { seen: new Set<string>(), only: [] as string[], paused: false };
  it.each([
    [
      'the oldest ready track',
      {
        ...base,
        queue: q('a', 'b'),
        tracks: tracks([
          ['a', 'ready'],
          ['b', 'ready'],
        ]),
      },
      { next: 'a', drop: [], order: ['a', 'b'], paused: false, awaiting: [] },
    ],
    [
      'never ahead of its own unmerged dependency',
      {
        ...base,
        queue: q('b', 'c'),
        tracks: tracks([
          ['a', 'ready'],
          ['b', 'ready', ['a']],
          ['c', 'ready'],
        ]),
      },
      { next: 'c', drop: [], order: ['b', 'c'], paused: false, awaiting: [] },
    ],
    [
      'a track looked at in this pass waits for the next',
      {
        ...base,
        seen: new Set(['a']),
        queue: q('a', 'b'),
        tracks: tracks([
          ['a', 'ready'],
          ['b', 'ready'],
        ]),
      },
      { next: 'b', drop: [], order: ['b'], paused: false, awaiting: [] },
    ],
    [
      'finished entries are dropped, running ones kept',
      {
        ...base,
        queue: q('m', 'f', 'x', 'r'),
        tracks: tracks([
          ['m', 'merged'],
          ['f', 'failed'],
          ['x', 'running'],
          ['r', 'ready'],
        ]),
      },
      { next: 'r', drop: ['m', 'f'], order: ['r'], paused: false, awaiting: [] },
    ],
    [
      'only the named tracks',
      {
        ...base,
        only: ['b'],
        queue: q('a', 'b'),
        tracks: tracks([
          ['a', 'ready'],
          ['b', 'ready'],
        ]),
      },
      { next: 'b', drop: [], order: ['b'], paused: false, awaiting: [] },
    ],
    [
      'a paused entry is skipped',
      {
        ...base,
        queue: [{ trackId: 'a', paused: true }, ...q('b')],
        tracks: tracks([
          ['a', 'ready'],
          ['b', 'ready'],
        ]),
      },
      { next: 'b', drop: [], order: ['b'], paused: false, awaiting: [] },
    ],
    [
      'a paused queue takes nothing',
      { ...base, paused: true, queue: q('a'), tracks: tracks([['a', 'ready']]) },
      { next: null, drop: [], order: [], paused: true, awaiting: [] },
    ],
  ] as const)('%s', (_name, input, want) => {
    expect(nextQueueItem(input)).toEqual(want);
  });
});

describe('nextQueueItem with the approval gate', () => {
  const base = { seen: new Set<string>(), only: [] as string[], paused: false };
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const facts = (rows: [string, string | null, string | null, string[]?][]) =>
    new Map(
      rows.map(([id, head, approvedSha, bearing = []]) => [
        id,
        { head, approvedSha, commandBearing: bearing },
      ]),
    );
  const two = tracks([
    ['a', 'ready'],
    ['b', 'ready'],
  ]);
  it.each([
    [
      'no requireApproval, nothing command-bearing: the oldest goes',
      {
        ...base,
        queue: q('a', 'b'),
        tracks: two,
        approval: facts([
          ['a', A, null],
          ['b', B, null],
        ]),
      },
      { next: 'a', drop: [], order: ['a', 'b'], paused: false, awaiting: [], approvedSha: null },
    ],
    [
      'requireApproval: an unapproved track waits, an approved one goes',
      {
        ...base,
        requireApproval: true,
        queue: q('a', 'b'),
        tracks: two,
        approval: facts([
          ['a', A, null],
          ['b', B, B],
        ]),
      },
      {
        next: 'b',
        drop: [],
        order: ['b'],
        paused: false,
        awaiting: [
          {
            id: 'a',
            reason: expect.stringMatching(
              /^awaiting approval \(merge\.requireApproval is on\); run `ym review a`, then `ym approve a`$/,
            ) as unknown as string,
          },
        ],
        approvedSha: B,
      },
    ],
    [
      'requireApproval: an approval of another SHA (a new attempt since) does not count',
      {
        ...base,
        requireApproval: true,
        queue: q('a'),
        tracks: tracks([['a', 'ready']]),
        approval: facts([['a', A, B]]),
      },
      {
        next: null,
        drop: [],
        order: [],
        paused: false,
        awaiting: [
          {
            id: 'a',
            reason: `awaiting approval: ${B.slice(0, 12)} was approved, but its head is now ${A.slice(0, 12)} (merge.requireApproval is on); run \`ym review a\`, then \`ym approve a\` again`,
          },
        ],
      },
    ],
    [
      'a command-bearing change waits even without requireApproval',
      {
        ...base,
        queue: q('a', 'b'),
        tracks: two,
        approval: facts([
          ['a', A, null, ['yardmaster.json: checks[0].run']],
          ['b', B, null],
        ]),
      },
      {
        next: 'b',
        drop: [],
        order: ['b'],
        paused: false,
        awaiting: [
          {
            id: 'a',
            reason: expect.stringContaining(
              'it changes what yardmaster runs (yardmaster.json: checks[0].run), so it needs an approval of aaaaaaaaaaaa whatever --yes, CI or merge.requireApproval say',
            ) as unknown as string,
          },
        ],
        approvedSha: null,
      },
    ],
    [
      'a command-bearing change approved at its head goes',
      {
        ...base,
        queue: q('a'),
        tracks: tracks([['a', 'ready']]),
        approval: facts([['a', A, A, ['.github/workflows/x.yml: GitHub Actions workflow']]]),
      },
      { next: 'a', drop: [], order: ['a'], paused: false, awaiting: [], approvedSha: A },
    ],
    [
      'a command-bearing change approved at an older head waits',
      {
        ...base,
        queue: q('a'),
        tracks: tracks([['a', 'ready']]),
        approval: facts([['a', A, B, ['x']]]),
      },
      {
        next: null,
        drop: [],
        order: [],
        paused: false,
        awaiting: [{ id: 'a', reason: expect.stringContaining('again') as unknown as string }],
      },
    ],
    [
      'a ready track with no facts is not taken',
      { ...base, queue: q('a'), tracks: tracks([['a', 'ready']]), approval: facts([]) },
      { next: null, drop: [], order: [], paused: false, awaiting: [] },
    ],
  ] as const)('%s', (_name, input, want) => {
    expect(nextQueueItem(input)).toEqual(want);
  });

  it('decideApproval: a missing branch is never approved', () => {
    expect(
      decideApproval('a', { head: null, approvedSha: null, commandBearing: [] }, true),
    ).toEqual({
      ok: false,
      reason: expect.stringContaining('branch is missing') as unknown as string,
    });
  });

  it.each([
    ['no events: nothing approved', [], null],
    ['an approval names its SHA', [{ type: 'track.approved', data: { sha: 'x' } }], 'x'],
    [
      'a later rejection cancels it',
      [
        { type: 'track.approved', data: { sha: 'x' } },
        { type: 'track.rejected', data: { sha: 'x' } },
      ],
      null,
    ],
    [
      'a carried approval (the queue rebased it) counts',
      [
        { type: 'track.approved', data: { sha: 'x' } },
        { type: 'track.approval-carried', data: { sha: 'y' } },
      ],
      'y',
    ],
    [
      'other events change nothing',
      [
        { type: 'track.approved', data: { sha: 'x' } },
        { type: 'track.feedback', data: {} },
      ],
      'x',
    ],
  ] as const)('approvedShaOf: %s', (_name, events, want) => {
    expect(approvedShaOf(events)).toBe(want);
  });
});

describe('decideReject', () => {
  it('back to the agent as the next attempt with the reason', () => {
    expect(decideReject({ attempt: 1, maxAttempts: 3, reason: 'use the helper' })).toEqual({
      kind: 'requeue',
      attempt: 2,
      feedback: 'A reviewer rejected your work: use the helper\nChange it as asked, and commit.',
    });
  });
  it('failed when no attempts remain', () => {
    expect(decideReject({ attempt: 3, maxAttempts: 3, reason: 'no' })).toEqual({
      kind: 'fail',
      reason: 'rejected with no attempts left (3): no',
    });
  });
});

describe('decideMergeStep', () => {
  const policy: MergePolicy = {
    trackId: 't',
    attempt: 1,
    maxAttempts: 3,
    onConflict: 'mark',
    target: 'main',
    loop: 1,
    maxLoops: 5,
  };
  const rows: [
    string,
    MergeStepResult,
    Partial<MergePolicy>,
    ReturnType<typeof decideMergeStep>,
  ][] = [
    ['landed: merged', { kind: 'landed' }, {}, { kind: 'merged' }],
    [
      'uncommitted work in its worktree fails it',
      { kind: 'dirty', paths: ['a.txt'] },
      {},
      { kind: 'fail', reason: 'its worktree has uncommitted changes: a.txt' },
    ],
    [
      'a conflict marks it conflicted (onConflict mark)',
      { kind: 'conflict', paths: ['x.js'] },
      {},
      { kind: 'conflicted', reason: 'conflicts with main in x.js', paths: ['x.js'] },
    ],
    [
      'a conflict goes back to its agent (onConflict agent, attempts left)',
      { kind: 'conflict', paths: ['x.js'] },
      { onConflict: 'agent' },
      {
        kind: 'requeue',
        cause: 'conflict',
        attempt: 2,
        reason: 'conflicts with main in x.js',
        feedback: expect.stringContaining('git rebase main') as unknown as string,
      },
    ],
    [
      'a conflict with no attempts left is conflicted even with onConflict agent',
      { kind: 'conflict', paths: ['x.js'] },
      { onConflict: 'agent', attempt: 3 },
      { kind: 'conflicted', reason: 'conflicts with main in x.js', paths: ['x.js'] },
    ],
    [
      'failing checks go back to the agent with feedback',
      { kind: 'checks-failed', feedback: 'test failed' },
      {},
      {
        kind: 'requeue',
        cause: 'checks',
        attempt: 2,
        feedback: 'After rebasing onto main: test failed',
        reason: 'checks failed on the rebased head',
      },
    ],
    [
      'failing checks with no attempts left fail it',
      { kind: 'checks-failed', feedback: 'x' },
      { attempt: 3 },
      { kind: 'fail', reason: 'checks failed on the merged result and no attempts remain' },
    ],
    [
      "the forge's checks failing is the same",
      { kind: 'forge-checks-failed', detail: 'ci red' },
      {},
      {
        kind: 'requeue',
        cause: 'checks',
        attempt: 2,
        feedback: 'After rebasing onto main: ci red',
        reason: 'checks failed on the rebased head',
      },
    ],
    [
      'checks that changed tracked files go back to the agent',
      { kind: 'checks-changed-files', paths: ['f.js'] },
      {},
      {
        kind: 'requeue',
        cause: 'checks',
        attempt: 2,
        feedback: expect.stringContaining('changed tracked files (f.js)') as unknown as string,
        reason: 'checks failed on the rebased head',
      },
    ],
    [
      'interrupted while checking: its turn is given back',
      { kind: 'interrupted' },
      {},
      { kind: 'give-back', reason: 'interrupted while checking' },
    ],
    [
      'its worktree moved during the checks: given back',
      { kind: 'worktree-moved', head: 'abcdef1234', candidate: '1234567890' },
      {},
      {
        kind: 'give-back',
        reason: 'its worktree moved to abcdef12 while the checks ran on 12345678; will retry',
      },
    ],
    [
      "the user's checkout holds the landing: waiting, saying what to do",
      { kind: 'checkout-blocked', path: '/r', files: ['p.md'] },
      {},
      {
        kind: 'waiting',
        reason:
          '/r has uncommitted changes to files this merge changes (p.md); commit or stash them, then run `ym merge`',
      },
    ],
    [
      'the target moved: rebuilt',
      { kind: 'target-moved', detail: 'x' },
      { loop: 4 },
      { kind: 'rebuild' },
    ],
    [
      'the target kept moving: given back after the last try',
      { kind: 'target-moved', detail: 'x' },
      { loop: 5 },
      { kind: 'give-back', reason: 'the target kept moving (5 tries); will retry' },
    ],
    [
      'the head moved after its approval: waits for a new one',
      { kind: 'head-moved', head: 'b'.repeat(40), expected: 'a'.repeat(40), approved: true },
      {},
      {
        kind: 'waiting',
        approval: true,
        reason:
          'awaiting approval: aaaaaaaaaaaa was approved, but its head moved to bbbbbbbbbbbb; run `ym review t`, then `ym approve t` again',
      },
    ],
    [
      'the head moved while queued (no approval involved): given back',
      { kind: 'head-moved', head: null, expected: 'a'.repeat(40), approved: false },
      {},
      { kind: 'give-back', reason: 'its head moved to nothing while it was queued; will retry' },
    ],
    [
      'rejected by the provider: failed',
      { kind: 'rejected', detail: 'protected' },
      {},
      { kind: 'fail', reason: 'protected' },
    ],
  ];
  it.each(rows)('%s', (_name, result, over, want) => {
    expect(decideMergeStep(result, { ...policy, ...over })).toEqual(want);
  });
});

describe('attempts policy', () => {
  it.each([
    [1, 3, true],
    [2, 3, true],
    [3, 3, false],
    [4, 3, false],
    [0, 1, true],
  ])('attempt %i of %i may try again: %s', (attempt, max, want) => {
    expect(mayTryAgain(attempt, max)).toBe(want);
  });

  it('a setback on the last attempt never requeues', () => {
    expect(
      decideMergeSetback(
        { kind: 'checks', feedback: 'f', reason: 'r' },
        { attempt: 2, maxAttempts: 2, onConflict: 'agent', target: 'main' },
      ).kind,
    ).toBe('fail');
  });

  it.each([
    [
      'a failed track: its reason and the last feedback',
      { state: 'failed', reason: 'checks failed: test.', lastFeedback: 'F' },
      'This track failed before it was retried: checks failed: test.\n\nF\n\nFix what made it fail, and commit.',
    ],
    [
      'a failed track with nothing kept',
      { state: 'failed', reason: null, lastFeedback: null },
      'This track failed before it was retried: no reason was recorded.\nFix what made it fail, and commit.',
    ],
    [
      'a conflicted track is told to rebase',
      { state: 'conflicted', reason: 'conflicts with main in a', lastFeedback: null },
      expect.stringContaining('git rebase "$YM_TARGET"'),
    ],
  ] as const)('retry resets the attempts: %s', (_name, track, feedback) => {
    expect(decideRetry(track)).toEqual({ attempt: 0, feedback });
  });
});
