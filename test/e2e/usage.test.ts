// Usage and budgets end to end: agents that report usage as they go ($YM_USAGE_FILE, rewritten
// every step), recorded per attempt in state.db, shown by status, held by budgets.
import { afterEach, describe, expect, it } from 'vitest';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import { spawn } from 'node:child_process';
import { CLI_BIN } from '../helpers/cli.js';
import { FIXTURES, makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

function configure(p: Project, extra: Record<string, unknown>) {
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...extra }, null, 2),
  );
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
  it("records each attempt's usage from $YM_USAGE_FILE: reported, or estimated from prices; unknown stays unknown", async () => {
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
    expect(byTrack.paid).toEqual({
      inputTokens: 2000,
      outputTokens: 200,
      costUsd: 0.5,
      costSource: 'reported',
      sessionId: 's-paid-1',
      model: 'rec-model',
    });
    // 3M input at $1/M + 0.3M output at $10/M.
    expect(byTrack.tokens).toEqual({
      inputTokens: 3_000_000,
      outputTokens: 300_000,
      costUsd: 6,
      costSource: 'estimated',
      sessionId: 's-tokens-1',
      model: 'rec-model',
    });
    expect(byTrack.silent).toBeUndefined();
    // The session id was recorded live, before the agent exited.
    const live = usageEvents(project).filter(
      (e) => e.type === 'agent.usage.live' && e.trackId === 'tokens',
    );
    expect(live[0]?.data).toMatchObject({ sessionId: 's-tokens-1' });
    expect(live[0]!.id).toBeLessThan(final.find((e) => e.trackId === 'tokens')!.id);

    // Shown: the implement summary, status --json (per track and the totals), the table, status ID.
    const summary = JSON.parse(r.stdout) as {
      usage: Record<string, unknown>;
      tracks: { id: string; usage: Record<string, unknown> }[];
    };
    expect(summary.usage).toMatchObject({
      inputTokens: 3_002_000,
      outputTokens: 300_200,
      costUsd: 6.5,
      costSource: 'estimated',
      unpricedRuns: 0,
      runs: 2,
    });
    expect(summary.tracks.find((t) => t.id === 'silent')?.usage).toMatchObject({
      inputTokens: null,
      costUsd: null,
      runs: 0,
    });
    const s = await project.ym(['status', '--json']);
    const snap = JSON.parse(s.stdout) as {
      usage: Record<string, unknown>;
      tracks: {
        id: string;
        attempt: number;
        usage: { perAttempt: unknown[] } & Record<string, unknown>;
      }[];
    };
    expect(snap.usage).toMatchObject({ costUsd: 6.5, costSource: 'estimated', runs: 2 });
    const paid = snap.tracks.find((t) => t.id === 'paid')!;
    expect(paid.usage).toMatchObject({
      inputTokens: 2000,
      outputTokens: 200,
      cacheReadTokens: null,
      costUsd: 0.5,
      costSource: 'reported',
      runs: 1,
    });
    expect(paid.usage.perAttempt).toEqual([
      expect.objectContaining({
        attempt: 1,
        sessionId: 's-paid-1',
        model: 'rec-model',
        costSource: 'reported',
        final: true,
      }),
    ]);
    expect(snap.tracks.find((t) => t.id === 'silent')!.usage).toMatchObject({
      costUsd: null,
      costSource: null,
      perAttempt: [],
    });
    const table = await project.ym(['status', '--plain']);
    expect(table.stdout).toMatch(/spent ~\$6\.50 · 3\.0M in \/ 300k out/);
    expect(table.stdout).toMatch(/TRY\s+COST/);
    expect(table.stdout).toMatch(/paid\s+= ready\s+\S+\s+1\/3\s+\$0\.50 /);
    expect(table.stdout).toMatch(/tokens\s+= ready\s+\S+\s+1\/3\s+~\$6\.00 /);
    expect(table.stdout).toMatch(/silent\s+= ready\s+\S+\s+1\/3\s+- /);
    const one = await project.ym(['status', 'tokens', '--plain']);
    expect(one.stdout).toMatch(
      /attempt 1 \(run \d+\): ~\$6\.00 \(estimated\), 3\.0M in \/ 300k out; rec-model, session s-tokens-1/,
    );
  }, 90_000);
});

/** Each track's usage files (one per run) with the time the agent last wrote them. */
function usageFiles(
  p: Project,
  track: string,
): { file: string; mtimeMs: number; data: { costUsd?: number } }[] {
  const dir = path.join(p.repo.dir, '.git', 'yardmaster', 'prompts', track);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.usage.json'))
    .map((f) => path.join(dir, f))
    .map((file) => ({
      file,
      mtimeMs: statSync(file).mtimeMs,
      data: JSON.parse(readFileSync(file, 'utf8')) as { costUsd?: number },
    }));
}

function trackEvents(p: Project) {
  const store = openStateStore(path.join(p.repo.dir, '.git', 'yardmaster'));
  try {
    return store.listEvents();
  } finally {
    store.close();
  }
}

describe('budgets', () => {
  it('a run ceiling reached with 3 agents running stops all three within a second, nothing lost, resumable; exit 1', async () => {
    project = await makeProject({ tracks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    // Each agent commits work first, then spends $0.05 every 100 ms for 10 s: $1.50 a second together.
    const spending = {
      usage: {
        steps: 100,
        stepMs: 100,
        input: 1000,
        output: 100,
        costUsd: 0.05,
        commitFirst: true,
      },
    };
    const rec = useRecordingAgent(project, { '*': spending });
    const t0 = Date.now();
    const r = await project.ym(
      ['implement', '--no-merge', '--json', '--concurrency', '3', '--budget-usd', '1'],
      {},
      60_000,
    );
    const tookMs = Date.now() - t0;
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout) as {
      interrupted: boolean;
      budget: Record<string, unknown>;
      usage: { costUsd: number; costSource: string };
      tracks: { id: string; state: string; reason: string }[];
    };
    expect(summary.tracks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ['a', 'interrupted', 'interrupted: the run budget is spent'],
      ['b', 'interrupted', 'interrupted: the run budget is spent'],
      ['c', 'interrupted', 'interrupted: the run budget is spent'],
    ]);
    expect(summary.budget).toMatchObject({ limit: 'runUsd', max: 1, stopped: true });
    expect(summary.interrupted).toBe(true);
    // The spend is shown and holds near the ceiling: at most what the agents spent in the second it took to stop them.
    expect(summary.usage.costSource).toBe('reported');
    expect(summary.usage.costUsd).toBeGreaterThanOrEqual(1);
    expect(summary.usage.costUsd).toBeLessThan(2.5);
    expect(tookMs).toBeLessThan(9_000);
    // All three stopped within a second of the first one's interruption: no usage written after.
    const interruptedAt = trackEvents(project)
      .filter((e) => e.type === 'track.state' && (e.data as { to?: string }).to === 'interrupted')
      .map((e) => Date.parse(e.at));
    expect(interruptedAt).toHaveLength(3);
    const lastWrites = ['a', 'b', 'c'].map((t) =>
      Math.max(...usageFiles(project!, t).map((f) => f.mtimeMs)),
    );
    expect(Math.max(...lastWrites) - Math.min(...interruptedAt)).toBeLessThan(1000);
    // Nothing lost: each branch keeps the work committed before the stop.
    for (const t of ['a', 'b', 'c'])
      expect(project.repo.git(['log', '--format=%s', `ym/${t}`])).toContain(`${t}: partial work`);
    // Resumable: without the ceiling (and with agents that finish), the same attempts go on to ready.
    writeFileSync(rec.behaviourFile, JSON.stringify({}));
    const again = await project.ym(['implement', '--no-merge', '--json'], {}, 60_000);
    expect(again.code, again.stderr).toBe(0);
    const resumed = JSON.parse(again.stdout) as {
      tracks: { id: string; state: string; attempt: number }[];
    };
    expect(resumed.tracks.map((t) => [t.id, t.state, t.attempt])).toEqual([
      ['a', 'ready', 1],
      ['b', 'ready', 1],
      ['c', 'ready', 1],
    ]);
    for (const t of ['a', 'b', 'c'])
      expect(project.repo.git(['log', '--format=%s', `ym/${t}`])).toContain(`${t}: partial work`);
  }, 120_000);

  it('a track ceiling fails only that track, with reason budget, its worktree kept', async () => {
    project = await makeProject({ tracks: [{ id: 'big' }, { id: 'small' }] });
    useRecordingAgent(project, {
      big: {
        usage: {
          steps: 100,
          stepMs: 100,
          input: 1000,
          output: 100,
          costUsd: 0.05,
          commitFirst: true,
        },
      },
      small: { usage: { steps: 2, stepMs: 50, input: 1000, output: 100, costUsd: 0.05 } },
    });
    const notified = path.join(project.repo.root, 'notified.jsonl');
    configure(project, {
      budget: { trackUsd: 0.3 },
      notify: {
        command: [process.execPath, path.join(FIXTURES, 'notify-recorder.mjs'), notified],
        on: ['budget'],
      },
    });
    const r = await project.ym(['implement', '--no-merge', '--json', '--yes'], {}, 60_000);
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout) as {
      budget: unknown;
      tracks: {
        id: string;
        state: string;
        reason: string | null;
        worktree: string;
        usage: { costUsd: number };
      }[];
    };
    const big = summary.tracks.find((t) => t.id === 'big')!;
    const small = summary.tracks.find((t) => t.id === 'small')!;
    expect([big.state, big.reason]).toEqual(['failed', 'budget']);
    expect(big.usage.costUsd).toBeGreaterThanOrEqual(0.3);
    expect(big.usage.costUsd).toBeLessThan(1);
    expect(existsSync(big.worktree)).toBe(true);
    expect([small.state, small.reason]).toEqual(['ready', null]);
    expect(summary.budget).toBeNull();
    const failedEvent = trackEvents(project).find(
      (e) =>
        e.trackId === 'big' &&
        e.type === 'track.state' &&
        (e.data as { to?: string }).to === 'failed',
    );
    expect(failedEvent?.data).toMatchObject({ budget: { limit: 'trackUsd', max: 0.3 } });
    // notify.on "budget": told once, about that track only.
    const docs = readFileSync(notified, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; track: string; reason: string });
    expect(docs).toEqual([
      expect.objectContaining({
        event: 'budget',
        track: 'big',
        reason: expect.stringMatching(/^track budget: /) as unknown as string,
      }),
    ]);
  }, 120_000);

  it('refuses a --budget-usd that is not a positive number', async () => {
    project = await makeProject({ tracks: [{ id: 'a' }] });
    const r = await project.ym(['implement', '--budget-usd', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--budget-usd.*It must be a positive number/);
  });
});

describe('resume', () => {
  /** `claude` on PATH is test/fixtures/fake-claude.mjs; its calls are read back. */
  function fakeClaude(p: Project) {
    const dir = path.join(p.repo.root, 'fake-claude');
    const bin = path.join(p.repo.root, 'bin');
    mkdirSync(path.join(dir, 'sessions'), { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      path.join(bin, 'claude'),
      `#!/bin/sh\nexec '${process.execPath}' '${path.join(FIXTURES, 'fake-claude.mjs')}' "$@"\n`,
      { mode: 0o755 },
    );
    configure(p, {
      agent: 'claude',
      attempts: 2,
      checks: [
        { name: 'no-bad', run: [process.execPath, path.join(FIXTURES, 'no-bad-check.mjs')] },
      ],
    });
    return {
      env: { PATH: `${bin}${path.delimiter}${p.repo.env.PATH ?? ''}`, FAKE_CLAUDE_DIR: dir },
      dir,
      calls: () =>
        readFileSync(path.join(dir, 'calls.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as {
                args: string[];
                stdin: string;
                attempt: number;
                resumed: string | null;
              },
          ),
    };
  }

  it('a retried attempt continues the same claude session with the feedback as the next message', async () => {
    project = await makeProject({ tracks: [{ id: 'a' }] });
    const fake = fakeClaude(project);
    const r = await project.ym(['implement', '--no-merge', '--json'], fake.env, 60_000);
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = fake.calls();
    expect(first!.resumed).toBeNull();
    expect(first!.stdin).toContain('Track a'); // the full prompt
    // Attempt 2: --resume with attempt 1's session id, the feedback on stdin, not the prompt.
    const sessionId = (
      usageEvents(project).find((e) => e.type === 'agent.usage')!.data as { sessionId: string }
    ).sessionId;
    expect(second!.attempt).toBe(2);
    expect(second!.args.slice(-2)).toEqual(['--resume', sessionId]);
    expect(second!.stdin).toContain('BAD content found');
    expect(second!.stdin).not.toContain('Track a');
    // The agent saw the earlier turn: its session holds both messages.
    expect(
      JSON.parse(readFileSync(path.join(fake.dir, 'sessions', sessionId), 'utf8')),
    ).toHaveLength(2);
    // The resumed run's cost is its own, not the session's total ($0.02 - $0.01).
    const costs = usageEvents(project)
      .filter((e) => e.type === 'agent.usage')
      .map((e) => (e.data as { costUsd: number }).costUsd);
    expect(costs).toEqual([0.01, 0.01]);
    expect((JSON.parse(r.stdout) as { tracks: { state: string }[] }).tracks[0]!.state).toBe(
      'ready',
    );
  }, 90_000);

  it.each([
    ['Ctrl-C', 'SIGINT'],
    ['kill -9 of implement and its agents', 'SIGKILL'],
  ] as const)(
    'an interrupted attempt (%s) continues the same session: the session id was recorded as soon as it was known',
    async (_how, signal) => {
      project = await makeProject({ tracks: [{ id: 'a' }] });
      const fake = fakeClaude(project);
      writeFileSync(path.join(fake.dir, 'hang'), '');
      const child = spawn(
        process.execPath,
        [CLI_BIN, '--cwd', project.repo.dir, 'implement', '--no-merge', '--plain', '--yes'],
        {
          env: { ...project.repo.env, ...fake.env, CI: 'true', NO_COLOR: '1' },
          stdio: 'ignore',
          detached: true,
        },
      );
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      const deadline = Date.now() + 20_000;
      const sessionOf = () =>
        usageEvents(project!).find((e) => e.type === 'agent.usage.live')?.data as
          { sessionId?: string } | undefined;
      while (!sessionOf()?.sessionId && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const sessionId = sessionOf()!.sessionId!;
      if (signal === 'SIGINT') child.kill('SIGINT');
      else process.kill(-child.pid!, 'SIGKILL');
      expect(await exited).toBe(signal === 'SIGINT' ? 130 : null);
      rmSync(path.join(fake.dir, 'hang'));
      const r = await project.ym(['implement', '--no-merge', '--json'], fake.env, 60_000);
      expect(r.code, r.stderr).toBe(0);
      const [, resumed] = fake.calls();
      expect(resumed).toMatchObject({ attempt: 1, resumed: sessionId });
      expect(resumed!.stdin).toMatch(/interrupted before it finished/);
    },
    90_000,
  );

  it("a run ceiling on claude's live usage (estimated from the price table) stops 3 agents; each resumes its own session", async () => {
    project = await makeProject({ tracks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    const fake = fakeClaude(project);
    writeFileSync(path.join(fake.dir, 'spend'), '');
    // Each message: 10k input at $3/M + 100 output at $15/M = $0.0315 (claude-sonnet-4-5).
    const r = await project.ym(
      ['implement', '--no-merge', '--json', '--budget-usd', '0.5'],
      fake.env,
      60_000,
    );
    expect(r.code, r.stderr).toBe(1);
    const summary = JSON.parse(r.stdout) as {
      usage: { costUsd: number; costSource: string };
      tracks: { id: string; state: string }[];
    };
    expect(summary.tracks.map((t) => t.state)).toEqual([
      'interrupted',
      'interrupted',
      'interrupted',
    ]);
    expect(summary.usage.costSource).toBe('estimated');
    expect(summary.usage.costUsd).toBeGreaterThanOrEqual(0.5);
    expect(summary.usage.costUsd).toBeLessThan(1.5);
    const sessions = new Map(
      usageEvents(project).map((e) => [e.trackId, (e.data as { sessionId: string }).sessionId]),
    );
    rmSync(path.join(fake.dir, 'spend'));
    const again = await project.ym(['implement', '--no-merge', '--json'], fake.env, 60_000);
    expect(again.code, again.stderr).toBe(0);
    const resumedCalls = fake.calls().filter((c) => c.resumed !== null && c.attempt === 1);
    expect(new Set(resumedCalls.map((c) => c.resumed))).toEqual(
      new Set(['a', 'b', 'c'].map((t) => sessions.get(t))),
    );
    expect(resumedCalls.every((c) => c.stdin.includes('interrupted before it finished'))).toBe(
      true,
    );
  }, 90_000);

  it('falls back to the full prompt, and says so, when the session is gone; --fresh never resumes', async () => {
    project = await makeProject({ tracks: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    const fake = fakeClaude(project);
    // The sessions vanish after each first run (another machine, a cleared config dir).
    writeFileSync(
      path.join(project.repo.root, 'bin', 'claude'),
      `#!/bin/sh\ncase "$*" in *--resume*) rm -f '${fake.dir}'/sessions/* ;; esac\nexec '${process.execPath}' '${path.join(FIXTURES, 'fake-claude.mjs')}' "$@"\n`,
      { mode: 0o755 },
    );
    const r = await project.ym(['implement', 'a', '--no-merge', '--json'], fake.env, 60_000);
    expect(r.code, r.stderr).toBe(0); // attempt 2 starts afresh, with the feedback in its prompt
    const calls = fake.calls();
    expect(calls.map((c) => [c.attempt, c.resumed !== null])).toEqual([
      [1, false],
      [2, true],
      [2, false],
    ]);
    expect(calls[2]!.stdin).toContain('Track a');
    expect(calls[2]!.stdin).toContain('BAD content found'); // the full prompt carries the feedback
    const log = readdirSync(path.join(project.repo.dir, '.git', 'yardmaster', 'logs', 'a'))
      .map((f) =>
        readFileSync(path.join(project!.repo.dir, '.git', 'yardmaster', 'logs', 'a', f), 'utf8'),
      )
      .join('');
    expect(log).toMatch(
      /session \S+ cannot be resumed \(not found\); starting afresh with the full prompt/,
    );

    const before = fake.calls().length;
    const b = await project.ym(
      ['implement', 'b', '--no-merge', '--json', '--fresh'],
      fake.env,
      60_000,
    );
    expect(b.code, b.stderr).toBe(0);
    expect(
      fake
        .calls()
        .slice(before)
        .map((c) => c.resumed),
    ).toEqual([null, null]);
    expect(b.stderr).toMatch(/b\s+starting afresh \(--fresh\)/);

    // agents.claude.resume: false (the built-in, with only that setting) does the same.
    configure(project, { agents: { claude: { resume: false } } });
    const mid = fake.calls().length;
    const c = await project.ym(['implement', 'c', '--no-merge', '--plain'], fake.env, 60_000);
    expect(c.code, c.stderr).toBe(0);
    expect(
      fake
        .calls()
        .slice(mid)
        .map((x) => x.resumed),
    ).toEqual([null, null]);
    expect(c.stdout + c.stderr).toMatch(/starting afresh \(agents\.claude\.resume is false\)/);
  }, 90_000);
});
