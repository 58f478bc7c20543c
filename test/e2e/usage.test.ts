// Usage and budgets end to end: agents that report usage as they go ($YM_USAGE_FILE, rewritten
// every step), recorded per attempt in state.db, shown by status, held by budgets.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

function configure(p: Project, extra: Record<string, unknown>) {
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...extra }, null, 2));
  p.repo.commit('configure');
}

function usageEvents(p: Project) {
  const store = openStateStore(path.join(p.repo.dir, '.git', 'yardmaster'));
  try {
    return store.listEvents().filter((e) => e.type.startsWith('agent.usage'));
  } finally {
    store.close();
  }
}

describe('usage', () => {
  it('records each attempt\'s usage from $YM_USAGE_FILE: reported, or estimated from prices; unknown stays unknown', async () => {
    project = await makeProject({ tracks: [{ id: 'paid' }, { id: 'tokens' }, { id: 'silent' }] });
    useRecordingAgent(project, {
      paid: { usage: { steps: 2, stepMs: 50, input: 1000, output: 100, costUsd: 0.25 } },
      tokens: { usage: { steps: 3, stepMs: 300, input: 1_000_000, output: 100_000 } },
    });
    configure(project, { prices: { rec: { inputPerMTok: 1, outputPerMTok: 10 } } });
    const r = await project.ym(['implement', '--no-merge', '--json'], {}, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const final = usageEvents(project).filter((e) => e.type === 'agent.usage');
    const byTrack = Object.fromEntries(final.map((e) => [e.trackId, e.data]));
    expect(byTrack.paid).toEqual({ inputTokens: 2000, outputTokens: 200, costUsd: 0.5, costSource: 'reported', sessionId: 's-paid-1', model: 'rec-model' });
    // 3M input at $1/M + 0.3M output at $10/M.
    expect(byTrack.tokens).toEqual({ inputTokens: 3_000_000, outputTokens: 300_000, costUsd: 6, costSource: 'estimated', sessionId: 's-tokens-1', model: 'rec-model' });
    expect(byTrack.silent).toBeUndefined();
    // The session id was recorded live, before the agent exited.
    const live = usageEvents(project).filter((e) => e.type === 'agent.usage.live' && e.trackId === 'tokens');
    expect(live[0]?.data).toMatchObject({ sessionId: 's-tokens-1' });
    expect(live[0]!.id).toBeLessThan(final.find((e) => e.trackId === 'tokens')!.id);

    // Shown: the implement summary, status --json (per track and the totals), the table, status ID.
    const summary = JSON.parse(r.stdout) as { usage: Record<string, unknown>; tracks: { id: string; usage: Record<string, unknown> }[] };
    expect(summary.usage).toMatchObject({ inputTokens: 3_002_000, outputTokens: 300_200, costUsd: 6.5, costSource: 'estimated', unpricedRuns: 0, runs: 2 });
    expect(summary.tracks.find((t) => t.id === 'silent')?.usage).toMatchObject({ inputTokens: null, costUsd: null, runs: 0 });
    const s = await project.ym(['status', '--json']);
    const snap = JSON.parse(s.stdout) as { usage: Record<string, unknown>; tracks: { id: string; attempt: number; usage: { perAttempt: unknown[] } & Record<string, unknown> }[] };
    expect(snap.usage).toMatchObject({ costUsd: 6.5, costSource: 'estimated', runs: 2 });
    const paid = snap.tracks.find((t) => t.id === 'paid')!;
    expect(paid.usage).toMatchObject({ inputTokens: 2000, outputTokens: 200, cacheReadTokens: null, costUsd: 0.5, costSource: 'reported', runs: 1 });
    expect(paid.usage.perAttempt).toEqual([expect.objectContaining({ attempt: 1, sessionId: 's-paid-1', model: 'rec-model', costSource: 'reported', final: true })]);
    expect(snap.tracks.find((t) => t.id === 'silent')!.usage).toMatchObject({ costUsd: null, costSource: null, perAttempt: [] });
    const table = await project.ym(['status', '--plain']);
    expect(table.stdout).toMatch(/spent ~\$6\.50 · 3\.0M in \/ 300k out/);
    expect(table.stdout).toMatch(/TRY\s+COST/);
    expect(table.stdout).toMatch(/paid\s+= ready\s+\S+\s+1\/3\s+\$0\.50 /);
    expect(table.stdout).toMatch(/tokens\s+= ready\s+\S+\s+1\/3\s+~\$6\.00 /);
    expect(table.stdout).toMatch(/silent\s+= ready\s+\S+\s+1\/3\s+- /);
    const one = await project.ym(['status', 'tokens', '--plain']);
    expect(one.stdout).toMatch(/attempt 1 \(run \d+\): ~\$6\.00 \(estimated\), 3\.0M in \/ 300k out; rec-model, session s-tokens-1/);
  }, 90_000);
});
