// The fleet's faults against a real redis-server: a worker SIGKILLed while its agent runs.
// Its job is taken again once its lock expires (short locks through the environment), the
// orphaned agent is ended when that clone's next `ym worker` starts, and the track merges once.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CLI_BIN, runCli } from '../helpers/cli.js';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';
import {
  leftoverProcesses,
  makeFleet,
  startRedis,
  stopWorkers,
  writeCheck,
  type FleetWorker,
  type RedisServer,
} from './fleet.js';

let project: Project | undefined;
let redis: RedisServer | undefined;
let workers: FleetWorker[] = [];
afterEach(async () => {
  await stopWorkers(workers);
  workers = [];
  await redis?.stop();
  redis = undefined;
  // No orphan: nothing the run started (agents, checks, workers, a push) outlives it.
  const left = project ? await leftoverProcesses(project.repo.root) : [];
  project?.cleanup();
  project = undefined;
  expect(left).toEqual([]);
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};
const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
const waitFor = async (what: string, ok: () => boolean, ms = 60_000) => {
  const until = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const TRACKS = ['k1', 'k2', 'k3', 'k4', 'k5'];

describe('fleet faults', () => {
  it('SIGKILL of a worker mid-agent: another worker takes the job after the lock expires, nothing lost, nothing merged twice', async () => {
    project = await makeProject({ tracks: TRACKS.map((id) => ({ id })) });
    const p = project;
    const check = writeCheck(p.repo.root);
    const rec = useRecordingAgent(
      p,
      { '*': { behaviour: 'ok', sleepMs: 300 }, k1: { behaviour: 'ok', sleepMs: 6000 } },
      {
        config: {
          concurrency: 4,
          engine: { kind: 'bullmq' },
          merge: { strategy: 'merge' },
          checks: [{ name: 'suite', run: [process.execPath, check] }],
        },
      },
    );
    redis = await startRedis(p.repo.root);
    const env = {
      YM_REDIS_URL: redis.url,
      YM_FLEET_LOCK_MS: '2000',
      YM_FLEET_STALLED_MS: '1000',
    };
    const fleet = makeFleet(p, 2, env);
    const start = p.repo.git(['rev-parse', 'main']).trim();
    // Worker 1 alone, one slot: it takes the first job (k1); worker 2 then takes the rest.
    workers = [fleet.startWorker(1, 1)];
    const implement = p.ym(['implement', '--json'], env, 180_000);

    // k1's agent is running: the worker that started it is killed outright.
    await waitFor('k1 to start', () =>
      rec.records().some((r) => r.track === 'k1' && r.event === 'start'),
    );
    workers.push(fleet.startWorker(2, 2));
    const agent = rec.records().find((r) => r.track === 'k1' && r.event === 'start')!.pid;
    const holder = workers.find((w) => w.proc.pid === parentOf(agent));
    expect(holder, 'the worker running k1').toBeDefined();
    holder!.proc.kill('SIGKILL');
    await holder!.exited;
    // Its agent ran in its own process group: it outlived the worker...
    expect(alive(agent)).toBe(true);
    // ...until this clone's next worker starts and ends what the dead one left running.
    const i = workers.indexOf(holder!) + 1;
    workers.push(fleet.startWorker(i, 1));
    await waitFor('the orphaned agent to be ended', () => !alive(agent), 20_000);

    const r = await implement;
    expect(
      r.code,
      `${r.stdout}\n${r.stderr}\n${workers.map((w) => w.output()).join('\n---\n')}`,
    ).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      tracks: { id: string; state: string; worker: string | null }[];
    };
    for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');
    const k1 = summary.tracks.find((t) => t.id === 'k1')!;
    // The job was finished by a live worker, not the one killed.
    expect(k1.worker).toMatch(/:\d+$/);
    expect(k1.worker!.endsWith(`:${holder!.proc.pid}`)).toBe(false);

    // k1's attempt 1 ran again (the killed run never pushed, so from the target); no two of
    // its agents ever ran at once; the others ran once.
    const records = rec.records();
    expect(records.filter((x) => x.event === 'overlap')).toEqual([]);
    const k1Starts = records.filter((x) => x.track === 'k1' && x.event === 'start');
    expect(k1Starts.map((x) => x.attempt)).toEqual([1, 1]);
    expect(records.filter((x) => x.track === 'k1' && x.event === 'end')).toHaveLength(1);
    for (const id of TRACKS.slice(1))
      expect(
        records.filter((x) => x.track === id && x.event === 'start'),
        id,
      ).toHaveLength(1);

    // Nothing merged twice: one first-parent position per track on the remote's main, each
    // adding exactly its own file.
    const git = (args: string[]) => fleet.git(fleet.bare, args).trim();
    const positions = git(['rev-list', '--first-parent', '--reverse', `${start}..main`]).split(
      '\n',
    );
    expect(positions).toHaveLength(TRACKS.length);
    const added = positions.map((sha) =>
      git(['diff', '--name-only', `${sha}^1`, sha, '--', 'src'])
        .split('\n')
        .filter(Boolean),
    );
    expect(added.flat().sort()).toEqual(TRACKS.map((id) => `src/${id}.txt`));
  }, 240_000);

  it('ym worker --drain: the held job finishes, nothing new is taken, exit 0; Redis restarted mid-run: the run goes on', async () => {
    project = await makeProject({ tracks: [{ id: 'd1' }, { id: 'd2' }, { id: 'd3' }] });
    const p = project;
    const rec = useRecordingAgent(
      p,
      { '*': { behaviour: 'ok', sleepMs: 300 }, d1: { behaviour: 'ok', sleepMs: 3000 } },
      { config: { concurrency: 2, engine: { kind: 'bullmq' }, merge: { strategy: 'merge' } } },
    );
    redis = await startRedis(p.repo.root);
    const env = { YM_REDIS_URL: redis.url, YM_FLEET_LOCK_MS: '4000', YM_FLEET_STALLED_MS: '2000' };
    const fleet = makeFleet(p, 2, env);
    const first = fleet.startWorker(1, 1);
    workers = [first];
    const implement = p.ym(['implement', '--json'], env, 180_000);
    await waitFor('d1 to start', () =>
      rec.records().some((r) => r.track === 'd1' && r.event === 'start'),
    );
    // Drain the first worker while d1's agent runs: it finishes d1 and exits 0.
    const drain = await runCli(['--cwd', fleet.clones[0]!, 'worker', '--drain'], {
      env: { ...p.repo.env, ...env },
      timeoutMs: 60_000,
    });
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toMatch(/Draining 1 worker/);
    expect(await first.exited).toBe(0);
    const d1 = rec.records().filter((r) => r.track === 'd1');
    expect(d1.map((r) => r.event)).toEqual(['start', 'end']);
    // It took nothing new: d2 and d3 have not started.
    expect(rec.records().filter((r) => r.track !== 'd1')).toEqual([]);
    // Redis restarts (AOF on) before the second worker comes: the run goes on.
    await redis.restart();
    workers.push(fleet.startWorker(2, 2));
    const r = await implement;
    expect(
      r.code,
      `${r.stdout}\n${r.stderr}\n${workers.map((w) => w.output()).join('\n---\n')}`,
    ).toBe(0);
    const summary = JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] };
    for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');
    for (const id of ['d1', 'd2', 'd3'])
      expect(
        rec.records().filter((x) => x.track === id && x.event === 'start'),
        id,
      ).toHaveLength(1);
    expect(r.stderr).toMatch(/unreachable.*retrying with backoff|is back after/);
  }, 240_000);

  it('SIGKILL of the coordinator: the jobs go on, implement again re-attaches, every track merged once', async () => {
    const ids = ['c1', 'c2', 'c3', 'c4'];
    project = await makeProject({
      tracks: ids.map((id, i) => ({ id, ...(i === 3 ? { dependsOn: ['c1'] } : {}) })),
    });
    const p = project;
    const rec = useRecordingAgent(
      p,
      { '*': { behaviour: 'ok', sleepMs: 1500 } },
      { config: { concurrency: 3, engine: { kind: 'bullmq' }, merge: { strategy: 'merge' } } },
    );
    redis = await startRedis(p.repo.root);
    const env = { YM_REDIS_URL: redis.url };
    const fleet = makeFleet(p, 2, env);
    const start = p.repo.git(['rev-parse', 'main']).trim();
    workers = [fleet.startWorker(1, 2), fleet.startWorker(2, 2)];
    const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'implement', '--json'], {
      env: { ...p.repo.env, CI: 'true', NO_COLOR: '1', ...env },
      stdio: 'ignore',
    });
    const gone = new Promise((r) => child.once('exit', r));
    await waitFor(
      'agents to start',
      () => rec.records().filter((r) => r.event === 'start').length >= 2,
    );
    child.kill('SIGKILL');
    await gone;
    const r = await p.ym(['implement', '--json'], env, 180_000);
    expect(
      r.code,
      `${r.stdout}\n${r.stderr}\n${workers.map((w) => w.output()).join('\n---\n')}`,
    ).toBe(0);
    expect(r.stderr).toMatch(/re-attached to \d+ job/);
    const summary = JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] };
    for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');
    for (const id of ids)
      expect(
        rec.records().filter((x) => x.track === id && x.event === 'start'),
        id,
      ).toHaveLength(1);
    const git = (args: string[]) => fleet.git(fleet.bare, args).trim();
    const positions = git(['rev-list', '--first-parent', `${start}..main`]).split('\n');
    expect(positions).toHaveLength(ids.length);
  }, 240_000);

  it('SIGKILL of a worker mid-merge (its checks on the candidate running): the step runs again elsewhere, merged once', async () => {
    const ids = ['m1', 'm2', 'm3'];
    project = await makeProject({ tracks: ids.map((id) => ({ id })) });
    const p = project;
    // The candidate of a merge strategy is a merge commit: there the check logs and takes its time.
    const log = path.join(p.repo.root, 'merge-checks.jsonl');
    const check = p.repo.write(
      '../merge-check.mjs',
      `import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
let merge = true;
try { execFileSync('git', ['rev-parse', '--verify', '--quiet', 'HEAD^2'], { stdio: 'ignore' }); } catch { merge = false; }
if (merge) {
  appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, ppid: process.ppid, at: Date.now() }) + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
}
`,
    );
    useRecordingAgent(
      p,
      { '*': { behaviour: 'ok', sleepMs: 200 } },
      {
        config: {
          concurrency: 3,
          engine: { kind: 'bullmq' },
          merge: { strategy: 'merge' },
          checks: [{ name: 'slow-on-merge', run: [process.execPath, check] }],
        },
      },
    );
    redis = await startRedis(p.repo.root);
    const env = { YM_REDIS_URL: redis.url, YM_FLEET_LOCK_MS: '2000', YM_FLEET_STALLED_MS: '1000' };
    const fleet = makeFleet(p, 2, env);
    const start = p.repo.git(['rev-parse', 'main']).trim();
    workers = [fleet.startWorker(1, 2), fleet.startWorker(2, 2)];
    const implement = p.ym(['implement', '--json'], env, 180_000);
    const merging = () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { pid: number; ppid: number })
        : [];
    await waitFor('a merge step to check its candidate', () => merging().length > 0);
    const holder = workers.find((w) => w.proc.pid === merging()[0]!.ppid);
    expect(holder, 'the worker running the merge step').toBeDefined();
    holder!.proc.kill('SIGKILL');
    await holder!.exited;
    workers.push(fleet.startWorker(workers.indexOf(holder!) + 1, 2));
    const r = await implement;
    expect(
      r.code,
      `${r.stdout}\n${r.stderr}\n${workers.map((w) => w.output()).join('\n---\n')}`,
    ).toBe(0);
    const summary = JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] };
    for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');
    const git = (args: string[]) => fleet.git(fleet.bare, args).trim();
    const positions = git(['rev-list', '--first-parent', '--reverse', `${start}..main`]).split(
      '\n',
    );
    expect(positions).toHaveLength(ids.length);
    const added = positions.map((sha) =>
      git(['diff', '--name-only', `${sha}^1`, sha, '--', 'src'])
        .split('\n')
        .filter(Boolean),
    );
    expect(added.flat().sort()).toEqual(ids.map((id) => `src/${id}.txt`));
    // The step that was killed ran its checks again on another worker.
    expect(merging().length).toBeGreaterThan(ids.length);
  }, 240_000);

  it.each(['merge', 'rebase'] as const)(
    'SIGKILL of the workers after the target was pushed, before the merge step returned (%s): recorded as merged, landed once',
    async (strategy) => {
      const ids = ['p1', 'p2'];
      project = await makeProject({ tracks: ids.map((id) => ({ id })) });
      const p = project;
      useRecordingAgent(
        p,
        { '*': { behaviour: 'ok', sleepMs: 200 }, p2: { behaviour: 'ok', sleepMs: 4000 } },
        { config: { concurrency: 2, engine: { kind: 'bullmq' }, merge: { strategy } } },
      );
      redis = await startRedis(p.repo.root);
      const env = {
        YM_REDIS_URL: redis.url,
        YM_FLEET_LOCK_MS: '2000',
        YM_FLEET_STALLED_MS: '1000',
      };
      const fleet = makeFleet(p, 2, env);
      const start = p.repo.git(['rev-parse', 'main']).trim();
      // The remote holds the first push of main for a while after taking it: the worker that
      // pushed is killed then, with the target moved and its result not yet returned.
      const landed = path.join(p.repo.root, 'landed');
      const hook = path.join(fleet.bare, 'hooks', 'post-receive');
      writeFileSync(
        hook,
        `#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/heads/main ] && [ ! -e ${JSON.stringify(landed)} ]; then echo "$new" > ${JSON.stringify(landed)}; sleep 3; fi\ndone\n`,
      );
      chmodSync(hook, 0o755);
      workers = [fleet.startWorker(1, 2), fleet.startWorker(2, 2)];
      const implement = p.ym(['implement', '--json'], env, 180_000);
      await waitFor('the first landing to reach the remote', () => existsSync(landed));
      const before = [...workers];
      for (const w of before) w.proc.kill('SIGKILL');
      await Promise.all(before.map((w) => w.exited));
      workers.push(fleet.startWorker(1, 2), fleet.startWorker(2, 2));
      const r = await implement;
      const outputs = workers.map((w) => w.output()).join('\n---\n');
      expect(r.code, `${r.stdout}\n${r.stderr}\n${outputs}`).toBe(0);
      const summary = JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] };
      for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');
      expect(outputs).toMatch(/already on main at [0-9a-f]{8}: recorded as merged/);
      const git = (args: string[]) => fleet.git(fleet.bare, args).trim();
      // Each track's work entered main once.
      for (const id of ids)
        expect(
          git([
            'log',
            '--first-parent',
            '--format=%H',
            `${start}..main`,
            '--',
            `src/${id}.txt`,
          ]).split('\n'),
          id,
        ).toHaveLength(1);
    },
    240_000,
  );
});
