// The run's budget as implement applies it: earlier spend counts for a track's ceiling, this
// run's live usage for the run's; a run overrun aborts the run's signal, a track's only its own.
import { describe, expect, it } from 'vitest';
import { RunBudget } from '../../src/engine/budget.js';
import type { StateStore } from '../../src/state/store.js';

const storeWith = (events: { trackId: string; runId: number; data: object }[]) =>
  ({
    listUsageEvents: () =>
      events.map((e, i) => ({ id: i + 1, at: '', type: 'agent.usage', attempt: 1, ...e })),
  }) as unknown as StateStore;

describe('RunBudget', () => {
  it('a track over its ceiling (earlier runs included) stops only that track', () => {
    const stop = new AbortController();
    const b = new RunBudget(
      { trackUsd: 1 },
      storeWith([{ trackId: 'a', runId: 1, data: { costUsd: 0.7, costSource: 'reported' } }]),
      stop,
    );
    const a = b.trackSignal('a');
    const other = b.trackSignal('b');
    b.update('b', 3, { costSource: 'reported', costUsd: 0.9 });
    expect(other.aborted).toBe(false);
    b.update('a', 2, { costSource: 'reported', costUsd: 0.2 });
    expect(a.aborted).toBe(false);
    b.update('a', 2, { costSource: 'estimated', costUsd: 0.3 });
    expect(a.aborted).toBe(true);
    expect(b.trackOver('a')).toEqual({ limit: 'trackUsd', spent: 1, max: 1 });
    expect(other.aborted).toBe(false);
    expect(stop.signal.aborted).toBe(false);
    // Asked again before its next attempt: still over.
    expect(b.check('a').kind).toBe('track-over');
  });

  it('the run ceiling counts only this run, all tracks together, and aborts the run signal', () => {
    const stop = new AbortController();
    const b = new RunBudget(
      { runTokens: 1000 },
      storeWith([{ trackId: 'a', runId: 1, data: { inputTokens: 5000, outputTokens: 1 } }]),
      stop,
    );
    b.update('a', 2, { costSource: null, inputTokens: 400, outputTokens: 50 });
    b.update('b', 3, { costSource: null, inputTokens: 400 });
    expect(stop.signal.aborted).toBe(false);
    b.update('b', 3, { costSource: null, inputTokens: 500, outputTokens: 50 });
    expect(stop.signal.aborted).toBe(true);
    expect(b.runOver).toEqual({ limit: 'runTokens', spent: 1000, max: 1000 });
    expect(b.runSpend()).toEqual({ usd: 0, tokens: 1000 });
  });

  it('without limits never stops anything', () => {
    const stop = new AbortController();
    const b = new RunBudget({}, storeWith([]), stop);
    b.update('a', 1, { costSource: 'reported', costUsd: 1e6 });
    expect(b.check('a')).toEqual({ kind: 'ok' });
    expect(stop.signal.aborted).toBe(false);
  });
});
