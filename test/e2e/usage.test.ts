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
  }, 90_000);
});
