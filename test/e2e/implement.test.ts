// implement end to end: parallel agents in worktrees, dependencies, the quality loop with
// feedback, timeouts, the merge queue, and bad input.
import { afterEach, describe, expect, it } from 'vitest';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { CLI_BIN } from '../helpers/cli.js';
import { isAlive } from '../../src/proc/run.js';
import { openStateStore } from '../../src/state/index.js';
import { storeActions } from '../../src/tui/actions.js';
import {
  FIXTURES,
  makeProject,
  useRecordingAgent,
  type AgentRecord,
  type Project,
} from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

function recordingAgent(p: Project, behaviours: Record<string, unknown>, timeoutSec = 20) {
  // The agent is configured by the test's own `configure` call below, with other settings.
  const rec = useRecordingAgent(p, behaviours, { timeoutSec });
  const config = JSON.parse(readFileSync(path.join(p.repo.dir, 'yardmaster.json'), 'utf8')) as {
    agents: unknown;
  };
  return { ...rec, agent: config.agents };
}

function configure(p: Project, extra: Record<string, unknown>) {
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...extra }, null, 2),
  );
  p.repo.commit('configure');
}

type Rec = AgentRecord;

/** The most agents running at once, from start/end records. */
function maxConcurrent(recs: Rec[]): number {
  const points = recs
    .filter((r) => r.event !== 'overlap')
    .map((r) => ({ at: r.at, d: r.event === 'start' ? 1 : -1 }));
  points.sort((a, b) => a.at - b.at || a.d - b.d);
  let cur = 0;
  let max = 0;
  for (const p of points) max = Math.max(max, (cur += p.d));
  return max;
}

/** A project with one track, a committed file, and a post-checkout hook that logs its arguments. */
async function checkoutProject(): Promise<Project> {
  const p = await makeProject({ tracks: [{ id: 'files' }], config: { agent: 'scripted' } });
  p.repo.write('src/keep.txt', 'keep\n');
  p.repo.commit('a file');
  const hookLog = path.join(p.repo.root, 'post-checkout.log');
  p.repo.write('.git/hooks/post-checkout', `#!/bin/sh\necho "$PWD $1 $2 $3" >> '${hookLog}'\n`);
  chmodSync(path.join(p.repo.dir, '.git/hooks/post-checkout'), 0o755);
  return p;
}

/**
 * Runs `ym implement` with a `git` first on PATH that runs `stop` (shell, with REAL_GIT and
 * FLAG set) before the real git: a stop writes FLAG and sleeps, and the whole process group is
 * then killed with SIGKILL, as a kill -9 of yardmaster and its children would leave it.
 */
async function killWhere(p: Project, stop: string): Promise<{ wt: string; hookLog: string }> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const shim = path.join(p.repo.root, 'shim');
  const flag = path.join(p.repo.root, 'stopped');
  mkdirSync(shim);
  writeFileSync(
    path.join(shim, 'git'),
    `#!/bin/sh\nREAL_GIT='${realGit}'\nFLAG='${flag}'\n${stop}\nexec "$REAL_GIT" "$@"\n`,
    { mode: 0o755 },
  );
  const child = spawn(
    process.execPath,
    [CLI_BIN, '--cwd', p.repo.dir, 'implement', '--no-merge', '--plain', '--yes'],
    {
      env: { ...p.repo.env, CI: 'true', NO_COLOR: '1', PATH: `${shim}:${p.repo.env.PATH}` },
      stdio: 'ignore',
      detached: true,
    },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 20_000;
  while (!existsSync(flag) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(existsSync(flag)).toBe(true);
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  return {
    wt: path.join(p.repo.root, 'repo.yardmaster', 'files'),
    hookLog: path.join(p.repo.root, 'post-checkout.log'),
  };
}

/** The resumed run checks the worktree out and the track ends ready with every file of main. */
async function expectCheckedOutAndReady(p: Project, wt: string): Promise<void> {
  const r = await p.ym(['implement', '--no-merge', '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).tracks[0].state).toBe('ready');
  expect(readFileSync(path.join(wt, 'src', 'keep.txt'), 'utf8')).toBe('keep\n');
  expect(p.repo.git(['-C', wt, 'status', '--porcelain'])).toBe('');
  // The branch changed the plan and nothing else: no file lost to a missing checkout.
  expect(p.repo.git(['diff', '--name-status', 'main', 'ym/files']).trim()).toBe(
    'M\tyardmaster/tracks/files/plan.md',
  );
}

describe('implement', () => {
  it('runs 6 tracks with dependencies at concurrency 3, with feedback, a timeout and the merge queue', async () => {
    project = await makeProject({
      tracks: [
        { id: 'a' },
        { id: 'b' },
        { id: 'c' },
        { id: 'd', dependsOn: ['a'] },
        { id: 'e', dependsOn: ['b', 'd'] },
        { id: 'hang' },
      ],
    });
    const rec = recordingAgent(
      project,
      {
        '*': { sleepMs: 400 },
        c: { behaviour: 'fail-check-once', sleepMs: 200 },
        hang: { behaviour: 'hang' },
      },
      2,
    );
    configure(project, {
      agent: 'rec',
      agents: rec.agent,
      attempts: 2,
      checks: [
        { name: 'no-bad', run: [process.execPath, path.join(FIXTURES, 'no-bad-check.mjs')] },
      ],
    });
    const r = await project.ym(['implement', '--concurrency', '3', '--json'], {}, 120_000);
    const summary = JSON.parse(r.stdout) as {
      tracks: { id: string; state: string; reason: string | null }[];
    };
    const state = Object.fromEntries(summary.tracks.map((t) => [t.id, t.state]));
    expect(state, r.stderr).toEqual({
      a: 'merged',
      b: 'merged',
      c: 'merged',
      d: 'merged',
      e: 'merged',
      hang: 'failed',
    });
    expect(r.code).toBe(1); // one track failed
    expect(summary.tracks.find((t) => t.id === 'hang')?.reason).toMatch(/timed out/);

    const recs = rec.records();
    expect(recs.filter((x) => x.event === 'overlap')).toEqual([]);
    const max = maxConcurrent(recs);
    expect(max).toBeLessThanOrEqual(3);
    expect(max).toBeGreaterThanOrEqual(2);
    // Dependents start only after their dependencies merged (their agent ended before).
    const first = (t: string, e: Rec['event']) =>
      recs.find((x) => x.track === t && x.event === e)!.at;
    const last = (t: string, e: Rec['event']) =>
      recs.filter((x) => x.track === t && x.event === e).at(-1)!.at;
    expect(first('d', 'start')).toBeGreaterThanOrEqual(last('a', 'end'));
    expect(first('e', 'start')).toBeGreaterThanOrEqual(last('d', 'end'));
    expect(first('e', 'start')).toBeGreaterThanOrEqual(last('b', 'end'));
    // c failed its check on attempt 1 and passed on attempt 2 using the feedback file.
    const cStarts = recs.filter((x) => x.track === 'c' && x.event === 'start');
    expect(cStarts.map((x) => x.attempt)).toEqual([1, 2]);
    expect(cStarts[1]?.feedback).toContain('BAD content found in: c.txt');
    expect(cStarts[1]?.feedback).toContain('no-bad');
    // The hanging agent was killed (no end record) on both attempts.
    expect(recs.filter((x) => x.track === 'hang' && x.event === 'start')).toHaveLength(2);
    expect(recs.filter((x) => x.track === 'hang' && x.event === 'end')).toHaveLength(0);
    for (const x of recs.filter((y) => y.track === 'hang'))
      expect(() => process.kill(x.pid, 0)).toThrow();
    // The target holds every merged track's work, with the trailer, and the user's checkout followed.
    const repo = project.repo;
    for (const t of ['a', 'b', 'c', 'd', 'e'])
      expect(repo.git(['show', `main:src/${t}.txt`])).not.toContain('BAD');
    expect(repo.read('src/e.txt')).toContain('e was here');
    expect(repo.git(['status', '--porcelain'])).toBe('');
    const trailers = repo.git([
      'log',
      '--format=%(trailers:key=Yardmaster-Track,valueonly)',
      'main',
    ]);
    expect(trailers).toMatch(/a/);
    // Every first-parent commit on main is linear (rebase strategy).
    expect(repo.git(['rev-list', '--merges', 'main']).trim()).toBe('');
    // The failed track keeps its worktree for inspection.
    const status = JSON.parse((await project.ym(['status', '--json'])).stdout);
    const hang = status.tracks.find((t: { id: string }) => t.id === 'hang');
    expect(existsSync(hang.worktree)).toBe(true);
  });

  it('fails an attempt that changes nothing, and one whose agent exits non-zero', async () => {
    project = await makeProject({ tracks: [{ id: 'idle' }, { id: 'crash' }] });
    const rec = recordingAgent(project, {
      idle: { behaviour: 'nothing' },
      crash: { behaviour: 'exit-1' },
    });
    configure(project, { agent: 'rec', agents: rec.agent, attempts: 1 });
    const r = await project.ym(['implement', '--json']);
    expect(r.code).toBe(1);
    const tracks = JSON.parse(r.stdout).tracks as { id: string; state: string; reason: string }[];
    expect(tracks.find((t) => t.id === 'idle')?.reason).toMatch(/made no commit and no change/);
    expect(tracks.find((t) => t.id === 'crash')?.reason).toMatch(/exited with code 1/);
  });

  it('with --no-merge stops tracks at ready and leaves the target alone', async () => {
    project = await makeProject({
      tracks: [{ id: 'solo' }, { id: 'after', dependsOn: ['solo'] }],
      config: { agent: 'scripted' },
    });
    const before = project.repo.git(['rev-parse', 'main']);
    const r = await project.ym(['implement', '--no-merge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const tracks = JSON.parse(r.stdout).tracks as { id: string; state: string }[];
    expect(tracks.map((t) => [t.id, t.state])).toEqual([
      ['solo', 'ready'],
      ['after', 'planned'],
    ]);
    expect(project.repo.git(['rev-parse', 'main'])).toBe(before);
    // ym merge then lands it, and a second implement runs the dependent.
    const m = await project.ym(['merge', '--json']);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(m.stdout).results).toMatchObject([{ id: 'solo', outcome: 'merged' }]);
    expect((await project.ym(['implement'])).code).toBe(0);
    expect(project.repo.git(['log', '--format=%s', 'main'])).toContain(
      'complete the plan of after',
    );
  });

  it('refuses bad input with exit 2 and starts nothing', async () => {
    project = await makeProject({ tracks: [{ id: 'one' }], config: { agent: 'scripted' } });
    const cases: [string[], RegExp][] = [
      [['implement', '--agent', 'nope'], /Unknown agent "nope"/],
      [['implement', 'ghost'], /Unknown track "ghost"/],
      [['implement', '--concurrency', '0'], /'--concurrency <n>' argument '0' is invalid/],
      [['implement', '--agent', 'claude'], /program "claude" was not found/],
    ];
    for (const [args, message] of cases) {
      const r = await project.ym(args, { PATH: '/usr/bin:/bin' });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    configure(project, { target: 'does-not-exist' });
    const t = await project.ym(['implement']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('"does-not-exist" does not exist');
    const status = JSON.parse((await project.ym(['status', '--json'])).stdout);
    expect(status.tracks[0].state).toBe('planned');
  });

  it('runs worktrees.setup outside the worktree lock: two tracks set up at once; a failing setup fails its track', async () => {
    project = await makeProject({
      tracks: [{ id: 'one' }, { id: 'two' }],
      config: { agent: 'scripted' },
    });
    const times = path.join(project.repo.root, 'setup-times.jsonl');
    // Records when it starts and ends in each worktree, with a second of work in between.
    const setup = [
      process.execPath,
      '-e',
      `const fs = require('node:fs'); const rec = (e) => fs.appendFileSync(process.argv[1], JSON.stringify({ dir: process.cwd(), e, at: Date.now() }) + '\\n');
       rec('start'); setTimeout(() => rec('end'), 1000);`,
      times,
    ];
    configure(project, { concurrency: 2, worktrees: { setup: [setup] } });
    const r = await project.ym(['implement', '--no-merge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout).tracks as { state: string }[]).map((t) => t.state)).toEqual([
      'ready',
      'ready',
    ]);
    const recs = readFileSync(times, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dir: string; e: string; at: number });
    const at = (id: string, e: string) =>
      recs.find((x) => path.basename(x.dir) === id && x.e === e)!.at;
    expect(recs).toHaveLength(4);
    // Each started before the other ended: they overlapped.
    expect(at('one', 'start')).toBeLessThan(at('two', 'end'));
    expect(at('two', 'start')).toBeLessThan(at('one', 'end'));

    // A setup that fails fails its track, keeps its worktree recorded, and releases the lock
    // (the other track is provisioned too, and fails the same way).
    const again = await makeProject({
      tracks: [{ id: 'x' }, { id: 'y' }],
      config: {
        agent: 'scripted',
        concurrency: 2,
        worktrees: { setup: [['sh', '-c', 'echo no network >&2; exit 3']] },
      },
    });
    try {
      const f = await again.ym(['implement', '--no-merge', '--json']);
      expect(f.code).toBe(1);
      const tracks = JSON.parse(f.stdout).tracks as {
        id: string;
        state: string;
        reason: string;
        worktree: string | null;
      }[];
      for (const t of tracks) {
        expect(t.state).toBe('failed');
        expect(t.reason).toMatch(
          /worktrees\.setup command `sh -c .*` failed .*exit 3.*\n.*no network/s,
        );
        expect(t.worktree && existsSync(t.worktree)).toBe(true);
      }
    } finally {
      again.cleanup();
    }
  });

  it('runs worktrees.setup again when the run that started it was interrupted (Ctrl-C during setup)', async () => {
    project = await makeProject({ tracks: [{ id: 'slow' }], config: { agent: 'scripted' } });
    const log = path.join(project.repo.root, 'setup.log');
    const flag = path.join(project.repo.root, 'setup-started');
    // The first setup hangs (until Ctrl-C); the next one finishes.
    const setup = [
      process.execPath,
      '-e',
      `const fs = require('node:fs'); const [log, flag] = process.argv.slice(1);
       fs.appendFileSync(log, 'start ' + process.pid + '\\n');
       if (!fs.existsSync(flag)) { fs.writeFileSync(flag, ''); setTimeout(() => {}, 60000); }
       else fs.appendFileSync(log, 'end\\n');`,
      log,
      flag,
    ];
    configure(project, { worktrees: { setup: [setup] } });
    const child = spawn(
      process.execPath,
      [CLI_BIN, '--cwd', project.repo.dir, 'implement', '--no-merge', '--plain', '--yes'],
      {
        env: { ...project.repo.env, CI: 'true', NO_COLOR: '1' },
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const deadline = Date.now() + 20_000;
    while (!existsSync(flag) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const firstPid = Number(/start (\d+)/.exec(readFileSync(log, 'utf8'))![1]);
    expect(isAlive(firstPid)).toBe(false);
    const r = await project.ym(['implement', '--no-merge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks[0].state).toBe('ready');
    expect(
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['start', 'start', 'end']);
    // A third run finds it prepared: nothing runs again.
    expect((await project.ym(['implement', '--no-merge'])).code).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('checks out a fresh worktree after the worktree lock; killed before its checkout, the resumed run checks it out', async () => {
    project = await checkoutProject();
    const { wt, hookLog } = await killWhere(
      project,
      'if [ "$3" = checkout ]; then : > "$FLAG"; exec sleep 60; fi',
    );
    // Registered on its branch, but no file checked out: the agent must never see it like this.
    expect(project.repo.git(['worktree', 'list', '--porcelain'])).toContain(`worktree ${wt}\n`);
    expect(existsSync(path.join(wt, 'src', 'keep.txt'))).toBe(false);
    await expectCheckedOutAndReady(project, wt);
    // The hook ran once, in the new worktree, with the arguments `git worktree add` gives it.
    const head = project.repo.git(['rev-parse', 'main']).trim();
    expect(readFileSync(hookLog, 'utf8').trim().split('\n')).toEqual([
      `${wt} ${'0'.repeat(head.length)} ${head} 1`,
    ]);
  });

  it('a checkout killed half-way (its index.lock and some files left) is finished by the resumed run', async () => {
    project = await checkoutProject();
    // The shim writes what a checkout killed half-way leaves: git's lock (recovery removes it)
    // and part of the files.
    const { wt } = await killWhere(
      project,
      'if [ "$3" = checkout ]; then gd=$("$REAL_GIT" rev-parse --absolute-git-dir); : > "$gd/index.lock"; mkdir -p src; echo partial > src/keep.txt; : > "$FLAG"; exec sleep 60; fi',
    );
    expect(readFileSync(path.join(wt, 'src', 'keep.txt'), 'utf8')).toBe('partial\n');
    await expectCheckedOutAndReady(project, wt);
  });

  it('never checks out over files put in a worktree that was registered but never checked out', async () => {
    project = await checkoutProject();
    // Killed right after `git worktree add --no-checkout`: nothing of a checkout started.
    const { wt } = await killWhere(
      project,
      'if [ "$1" = worktree ]; then "$REAL_GIT" "$@"; : > "$FLAG"; exec sleep 60; fi',
    );
    writeFileSync(path.join(wt, 'notes.txt'), 'mine\n');
    mkdirSync(path.join(wt, 'src'));
    writeFileSync(path.join(wt, 'src', 'keep.txt'), 'my own version\n');
    const r = await project.ym(['implement', '--no-merge', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tracks[0].reason).toMatch(
      /holds files but was never checked out \(no index\); not touching it/,
    );
    expect(readFileSync(path.join(wt, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(path.join(wt, 'src', 'keep.txt'), 'utf8')).toBe('my own version\n');
  });

  it('a failing post-checkout hook fails the track; the next run checks out and runs the hook again', async () => {
    project = await checkoutProject();
    const allow = path.join(project.repo.root, 'hook-may-pass');
    const hookLog = path.join(project.repo.root, 'post-checkout.log');
    project.repo.write(
      '.git/hooks/post-checkout',
      `#!/bin/sh\necho "$PWD" >> '${hookLog}'\n[ -f '${allow}' ] || { echo 'hook says no' >&2; exit 1; }\n`,
    );
    const first = await project.ym(['implement', '--no-merge', '--json']);
    expect(first.code).toBe(1);
    expect(JSON.parse(first.stdout).tracks[0].reason).toMatch(
      /post-checkout hook failed[^]*hook says no/,
    );
    writeFileSync(allow, '');
    // Retried as the status view's `r` does it.
    const store = openStateStore(path.join(project.repo.dir, '.git', 'yardmaster'));
    try {
      expect(storeActions(store).retry('files').ok).toBe(true);
    } finally {
      store.close();
    }
    const wt = path.join(project.repo.root, 'repo.yardmaster', 'files');
    await expectCheckedOutAndReady(project, wt);
    expect(readFileSync(hookLog, 'utf8').trim().split('\n')).toEqual([wt, wt]);
  });

  it('--retry queues a failed track again with fresh attempts, keeping its worktree, and the tracks it blocked follow', async () => {
    project = await makeProject({
      tracks: [
        { id: 'base' },
        { id: 'mid', dependsOn: ['base'] },
        { id: 'top', dependsOn: ['mid'] },
      ],
      config: { agent: 'scripted', attempts: 2 },
    });
    // Every attempt of `base` fails, until its script is fixed in its worktree.
    project.repo.write(
      'yardmaster/tracks/base/agent-script.json',
      JSON.stringify({ attempts: [{ files: { 'base.txt': 'try\n' }, commit: 'try', exit: 1 }] }),
    );
    project.repo.commit('base fails');
    const first = await project.ym(['implement', '--json']);
    expect(first.code).toBe(1);
    const states = (r: { stdout: string }) =>
      Object.fromEntries(
        (JSON.parse(r.stdout).tracks as { id: string; state: string }[]).map((t) => [
          t.id,
          t.state,
        ]),
      );
    expect(states(first)).toEqual({ base: 'failed', mid: 'blocked', top: 'blocked' });
    // Without --retry nothing changes: failed and blocked are dead ends.
    const again = await project.ym(['implement', '--json']);
    expect(states(again)).toEqual({ base: 'failed', mid: 'blocked', top: 'blocked' });

    // Naming a blocked track retries nothing, and says what blocks it.
    const named = await project.ym(['implement', '--retry', 'mid', '--plain']);
    expect(`${named.stdout}${named.stderr}`).toMatch(
      /mid not retried: it is blocked \(dependency base is failed\)/,
    );
    expect(states(await project.ym(['implement', 'base', '--json']))).toEqual({ base: 'failed' });

    const wt = path.join(project.repo.root, 'repo.yardmaster', 'base');
    writeFileSync(
      path.join(wt, 'yardmaster/tracks/base/agent-script.json'),
      JSON.stringify({ attempts: [{ needsFeedback: true, tick: 'all', commit: 'done' }] }),
    );
    const retried = await project.ym(['implement', '--retry', '--plain']);
    expect(retried.code, retried.stderr).toBe(0);
    const lines = `${retried.stdout}${retried.stderr}`;
    expect(lines).toMatch(/base retried \(was failed\)/);
    expect(lines).toMatch(/mid unblocked/);
    expect(lines).toMatch(/base running attempt 1\/2/);
    const done = await project.ym(['status', '--json']);
    expect(
      Object.fromEntries(
        (JSON.parse(done.stdout).tracks as { id: string; state: string }[]).map((t) => [
          t.id,
          t.state,
        ]),
      ),
    ).toEqual({ base: 'merged', mid: 'merged', top: 'merged' });
    // The failed attempts' commits were kept and landed with the fix.
    expect(project.repo.git(['show', 'main:base.txt'])).toBe('try\n');
    // Its first attempt after the retry was told why the track had failed.
    const logs = path.join(project.repo.dir, '.git', 'yardmaster', 'logs', 'base');
    const log = readdirSync(logs)
      .map((f) => readFileSync(path.join(logs, f), 'utf8'))
      .join('');
    expect(log).toMatch(/read feedback: This track failed before it was retried: /);
    expect(log).not.toMatch(/expected a feedback file/);
    // The whole feedback file also holds the last attempt's own report.
    const prompts = path.join(project.repo.dir, '.git', 'yardmaster', 'prompts', 'base');
    const newest = readdirSync(prompts)
      .filter((f) => f.endsWith('.feedback.md'))
      .sort((a, b) => parseInt(b) - parseInt(a))[0]!;
    expect(readFileSync(path.join(prompts, newest), 'utf8')).toMatch(
      /failed before it was retried: out of attempts \(2\)[^]*The previous attempt failed: The agent exited with code 1/,
    );
  });

  it('--retry hands a conflicted track back to its agent with the conflict as feedback; resolved, it merges', async () => {
    project = await makeProject({
      tracks: [{ id: 'left' }, { id: 'right' }],
      config: { agent: 'scripted', concurrency: 2 },
    });
    for (const id of ['left', 'right']) {
      project.repo.write(
        `yardmaster/tracks/${id}/agent-script.json`,
        JSON.stringify({
          attempts: [{ files: { 'shared.txt': `${id}\n` }, tick: 'all', commit: `feat: ${id}` }],
        }),
      );
    }
    project.repo.commit('both tracks write shared.txt');
    const first = await project.ym(['implement', '--json']);
    expect(first.code).toBe(1);
    const tracks = JSON.parse(first.stdout).tracks as {
      id: string;
      state: string;
      reason: string;
    }[];
    const loser = tracks.find((t) => t.state === 'conflicted')!;
    const winner = tracks.find((t) => t.id !== loser.id)!;
    expect(winner.state).toBe('merged');
    expect(loser.reason).toMatch(/conflicts with main in shared\.txt/);

    // Its agent (scripted) now rebases onto the target and resolves, and insists on feedback.
    const wt = path.join(project.repo.root, 'repo.yardmaster', loser.id);
    writeFileSync(
      path.join(wt, `yardmaster/tracks/${loser.id}/agent-script.json`),
      JSON.stringify({
        attempts: [
          { needsFeedback: true, rebase: { resolve: { 'shared.txt': 'left and right\n' } } },
        ],
      }),
    );
    project.repo.git(['-C', wt, 'commit', '-qam', 'agent: resolve the conflict next time']);
    const retried = await project.ym(['implement', '--retry', '--json']);
    expect(retried.code, retried.stderr).toBe(0);
    expect((JSON.parse(retried.stdout).tracks as { state: string }[]).map((t) => t.state)).toEqual([
      'merged',
      'merged',
    ]);
    expect(project.repo.git(['show', 'main:shared.txt'])).toBe('left and right\n');
    // The feedback it read named the conflict.
    const log = readdirSync(path.join(project.repo.dir, '.git', 'yardmaster', 'logs', loser.id))
      .map((f) =>
        readFileSync(
          path.join(project!.repo.dir, '.git', 'yardmaster', 'logs', loser.id, f),
          'utf8',
        ),
      )
      .join('');
    expect(log).toMatch(
      /read feedback: Merging this track stopped: it conflicts with main in shared\.txt\./,
    );
    // On its first attempt: the retry gave it fresh attempts and the conflict at once.
    expect(log).not.toMatch(/expected a feedback file/);
  });

  it('refuses a worktree directory that exists and is not ours, and keeps it', async () => {
    project = await makeProject({ tracks: [{ id: 'taken' }], config: { agent: 'scripted' } });
    const dir = path.join(project.repo.root, 'repo.yardmaster', 'taken');
    project.repo.write('../repo.yardmaster/taken/precious.txt', 'mine\n');
    const r = await project.ym(['implement', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tracks[0].reason).toMatch(
      /already exists and is not a worktree of this track/,
    );
    expect(readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('mine\n');
  });
});
