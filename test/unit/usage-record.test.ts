// Usage as an attempt records it (throttled live records, the session id at once) and as
// status folds it (the latest record per run, sums where unknown stays null).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Usage } from '../../src/agents/adapters/types.js';
import { UsageFileWatch, UsageRecorder } from '../../src/run/usage-record.js';
import {
  formatCost,
  sumUsage,
  usagePerRun,
  USAGE_EVENT,
  USAGE_LIVE_EVENT,
} from '../../src/core/usage.js';

describe('UsageRecorder', () => {
  it('records at most every 2 s, at once when the session id is known, and nothing unknown', () => {
    let now = 0;
    const out: Usage[] = [];
    const r = new UsageRecorder(
      (u) => out.push(u),
      () => now,
    );
    r.push({ costSource: null });
    expect(out).toEqual([]);
    r.push({ costSource: null, inputTokens: 10 });
    expect(out).toHaveLength(1);
    now = 500;
    r.push({ costSource: null, inputTokens: 20 });
    expect(out).toHaveLength(1);
    now = 600;
    r.push({ costSource: null, inputTokens: 30, sessionId: 's1' });
    expect(out.map((u) => u.inputTokens)).toEqual([10, 30]);
    now = 1000;
    r.push({ costSource: null, inputTokens: 40, sessionId: 's1' });
    expect(out).toHaveLength(2);
    now = 2700;
    r.push({ costSource: null, inputTokens: 50, sessionId: 's1' });
    expect(out.map((u) => u.inputTokens)).toEqual([10, 30, 50]);
    r.flush();
    expect(out).toHaveLength(3);
  });

  it('re-reads a usage file only when it changed, and skips a half-written one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ym-usage-'));
    try {
      const file = path.join(dir, 'u.json');
      const w = new UsageFileWatch(file);
      expect(w.poll()).toBeUndefined();
      writeFileSync(file, '{"inputTokens": 5, "outputTokens": 1}');
      expect(w.poll()).toMatchObject({ inputTokens: 5, outputTokens: 1, costSource: null });
      expect(w.poll()).toBeUndefined();
      writeFileSync(file, '{"inputTokens": 7, "outp');
      expect(w.poll()).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('usage per run and totals', () => {
  const ev = (type: string, runId: number, data: object) => ({ type, runId, trackId: 't', data });
  it('keeps the latest record of each run, a final one over later live ones', () => {
    const runs = usagePerRun([
      ev(USAGE_LIVE_EVENT, 1, { inputTokens: 10, costSource: null }),
      ev(USAGE_EVENT, 1, {
        inputTokens: 20,
        outputTokens: 2,
        costUsd: 0.5,
        costSource: 'reported',
      }),
      ev(USAGE_LIVE_EVENT, 1, { inputTokens: 99 }),
      ev(USAGE_LIVE_EVENT, 2, { inputTokens: 7, sessionId: 'abc' }),
      ev('agent.activity', 3, { text: 'x' }),
    ]);
    expect(runs.map((r) => [r.runId, r.inputTokens, r.final, r.sessionId])).toEqual([
      [1, 20, true, undefined],
      [2, 7, false, 'abc'],
    ]);
    expect(sumUsage(runs)).toEqual({
      inputTokens: 27,
      outputTokens: 2,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      costUsd: 0.5,
      costSource: 'reported',
      unpricedRuns: 1,
      runs: 2,
    });
  });

  it('unknown stays unknown: no usage sums to nulls, not zeros', () => {
    expect(sumUsage([])).toMatchObject({
      inputTokens: null,
      costUsd: null,
      costSource: null,
      runs: 0,
    });
    expect(formatCost(sumUsage([]))).toBe('-');
  });

  it('an estimate anywhere makes the sum an estimate', () => {
    const t = sumUsage([
      { costSource: 'reported', costUsd: 0.1 },
      { costSource: 'estimated', costUsd: 0.2 },
    ]);
    expect(t).toMatchObject({ costUsd: 0.3, costSource: 'estimated' });
    expect(formatCost(t)).toBe('~$0.30');
  });
});
