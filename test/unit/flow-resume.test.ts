// The resume decision (src/flow/resume.ts): one row per rule, each failing if its rule changes.
import { describe, expect, it } from 'vitest';
import { decideResume, type ResumeFacts, type RunFacts } from '../../src/flow/resume.js';
import { decideAfterFailure } from '../../src/flow/attempts.js';

const run = (over: Partial<RunFacts> = {}): RunFacts => ({
  attempt: 2,
  state: 'interrupted',
  started: null,
  exited: null,
  ...over,
});
const facts = (over: Partial<ResumeFacts> = {}): ResumeFacts => ({
  trackAttempt: 2,
  last: null,
  pending: null,
  head: 'h0',
  interruptedValidating: false,
  ...over,
});
const started = { feedback: 'fix the test', headBefore: 'h0' };

describe('decideResume', () => {
  const rows: [string, ResumeFacts, ReturnType<typeof decideResume>][] = [
    [
      'no run yet: the attempt starts with the pending feedback',
      facts({ pending: 'queue said' }),
      { kind: 'run', attempt: 2, feedback: 'queue said' },
    ],
    [
      'a reset counter (retry) still starts at attempt 1',
      facts({ trackAttempt: 0 }),
      { kind: 'run', attempt: 1, feedback: null },
    ],
    [
      'stopped before its agent started (provisioning, backoff): pending feedback',
      facts({ last: run(), pending: 'checks failed' }),
      { kind: 'run', attempt: 2, feedback: 'checks failed' },
    ],
    [
      'killed while its agent worked, nothing committed: same attempt, same feedback',
      facts({ last: run({ started }), pending: null }),
      { kind: 'run', attempt: 2, feedback: 'fix the test' },
    ],
    [
      'killed while its agent worked, after it committed: validate first, cut short',
      facts({ last: run({ started }), head: 'h1' }),
      { kind: 'validate', attempt: 2, feedback: 'fix the test', headBefore: 'h0', finished: false },
    ],
    [
      'its agent had exited 0: validate first, the attempt is finished',
      facts({ last: run({ started, exited: { ok: true, reason: '', detail: '' } }) }),
      { kind: 'validate', attempt: 2, feedback: 'fix the test', headBefore: 'h0', finished: true },
    ],
    [
      'its agent had failed: that attempt is over',
      facts({
        last: run({ started, exited: { ok: false, reason: 'exit 3', detail: 'boom' } }),
        head: 'h1',
      }),
      { kind: 'failed', attempt: 2, feedback: 'fix the test', reason: 'exit 3', detail: 'boom' },
    ],
    [
      'a run of an earlier attempt is not this attempt',
      facts({
        last: run({ attempt: 1, started, exited: { ok: true, reason: '', detail: '' } }),
        pending: 'p',
      }),
      { kind: 'run', attempt: 2, feedback: 'p' },
    ],
    [
      'an older state.db that only says "interrupted while validating"',
      facts({ interruptedValidating: true }),
      { kind: 'validate', attempt: 2, feedback: null, headBefore: null, finished: true },
    ],
    [
      'no worktree head: nothing to validate',
      facts({ last: run({ started }), head: null }),
      { kind: 'run', attempt: 2, feedback: 'fix the test' },
    ],
  ];
  it.each(rows)('%s', (_name, input, want) => {
    expect(decideResume(input)).toEqual(want);
  });
});

describe('decideAfterFailure', () => {
  // A fixed jitter: the backoff is exact.
  const backoff = { baseMs: 1000, maxMs: 5000, random: () => 1 };
  const base = {
    attempt: 1,
    maxAttempts: 3,
    finished: true,
    failure: 'checks failed: test',
    feedback: 'F1',
    replacedFeedback: null,
    backoff,
  };
  const rows: [
    string,
    Parameters<typeof decideAfterFailure>[0],
    ReturnType<typeof decideAfterFailure>,
  ][] = [
    [
      'attempts remain: the next one, with the failure as feedback, after the base backoff',
      base,
      { kind: 'retry', attempt: 2, feedback: 'F1', waitMs: 1000 },
    ],
    [
      'the backoff doubles with each failed attempt',
      { ...base, attempt: 2 },
      { kind: 'retry', attempt: 3, feedback: 'F1', waitMs: 2000 },
    ],
    [
      'the backoff is capped',
      { ...base, attempt: 5, maxAttempts: 9 },
      { kind: 'retry', attempt: 6, feedback: 'F1', waitMs: 5000 },
    ],
    [
      'jitter takes it down to half at most',
      { ...base, backoff: { ...backoff, random: () => 0 } },
      { kind: 'retry', attempt: 2, feedback: 'F1', waitMs: 500 },
    ],
    [
      'the last attempt: the track fails, saying why',
      { ...base, attempt: 3 },
      { kind: 'fail', reason: 'out of attempts (3); last: checks failed: test' },
    ],
    [
      'an attempt cut short uses up nothing, even the last one, and waits for nothing',
      { ...base, attempt: 3, finished: false, replacedFeedback: 'F0' },
      { kind: 'again', attempt: 3, feedback: 'F0' },
    ],
  ];
  it.each(rows)('%s', (_name, input, want) => {
    expect(decideAfterFailure(input)).toEqual(want);
  });
});
