// The budget decision, rule by rule: no git, no database.
import { describe, expect, it } from 'vitest';
import {
  addSpend,
  decideBudget,
  describeOverrun,
  spendOf,
  type BudgetLimits,
  type Spend,
} from '../../src/flow/budget.js';

const s = (usd: number, tokens = 0): Spend => ({ usd, tokens });

describe('decideBudget', () => {
  const rows: [string, Spend, Spend, BudgetLimits, string][] = [
    ['no limits: always ok', s(100, 1e9), s(100, 1e9), {}, 'ok'],
    [
      'under every ceiling',
      s(1, 10),
      s(2, 20),
      { trackUsd: 2, runUsd: 3, trackTokens: 11, runTokens: 21 },
      'ok',
    ],
    [
      'a track that reaches its dollars',
      s(2),
      s(2),
      { trackUsd: 2, runUsd: 10 },
      'track-over:trackUsd',
    ],
    [
      'a track that reaches its tokens',
      s(0, 500),
      s(0, 500),
      { trackTokens: 500 },
      'track-over:trackTokens',
    ],
    ['the run reaches its dollars', s(1), s(3), { runUsd: 3 }, 'run-over:runUsd'],
    ['the run reaches its tokens', s(0, 10), s(0, 1000), { runTokens: 1000 }, 'run-over:runTokens'],
    [
      'the run comes first when both are over',
      s(5),
      s(5),
      { trackUsd: 1, runUsd: 1 },
      'run-over:runUsd',
    ],
    [
      'dollars before tokens in the run',
      s(5, 5),
      s(5, 5),
      { runUsd: 1, runTokens: 1 },
      'run-over:runUsd',
    ],
    ['a track ceiling ignores the run spend', s(1), s(100), { trackUsd: 2 }, 'ok'],
    [
      'a run ceiling ignores one track under it',
      s(0.5),
      s(0.9),
      { runUsd: 1, trackUsd: 0.6 },
      'ok',
    ],
  ];
  for (const [name, track, run, limits, want] of rows) {
    it(name, () => {
      const d = decideBudget({ track, run, limits });
      expect(d.kind === 'ok' ? 'ok' : `${d.kind}:${d.limit}`).toBe(want);
    });
  }

  it('says what was spent against which ceiling', () => {
    const d = decideBudget({ track: s(0), run: s(4.123), limits: { runUsd: 4 } });
    expect(d).toEqual({ kind: 'run-over', limit: 'runUsd', spent: 4.123, max: 4 });
    expect(describeOverrun(d as Extract<typeof d, { limit: string }>)).toBe(
      '$4.12 of runUsd $4.00',
    );
  });
});

describe('spendOf', () => {
  it('counts known dollars and input plus output tokens; unknown adds nothing', () => {
    expect(
      spendOf([
        { costUsd: 0.1, inputTokens: 100, outputTokens: 10 },
        { costUsd: null, inputTokens: 5 },
        { costUsd: 0.2 },
      ]),
    ).toEqual({ usd: 0.3, tokens: 115 });
    expect(spendOf([])).toEqual({ usd: 0, tokens: 0 });
    expect(addSpend(s(0.1, 1), s(0.2, 2))).toEqual({ usd: 0.3, tokens: 3 });
  });
});
