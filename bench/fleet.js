// The fleet engine's own overhead (issue 18, "Must show"): 40 no-op tracks (the built-in
// scripted agent, one no-op check, merged by the queue), concurrency 4, through the local
// engine and through `implement --engine bullmq` with 1, 2 and 4 `ym worker`s (4 slots each)
// on this machine, each in its own clone of a bare remote, against a redis-server on
// 127.0.0.1. Reported: the wall time of each, and (fleet - local) / 40 per track. Budget: at most
// 50 ms per track more than local. One run of each (they take tens of seconds on two cores).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CLI, git, tempDir } from './lib.js';
import { YM_ENV, makeProject } from './project.js';

const TRACKS = 40;
const BUDGET_MS = 50;

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on ${port} did not start`);
}

function implement(repo, env, extra = []) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [CLI, '--cwd', repo, 'implement', '--yes', '--json', ...extra],
    {
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    },
  );
  const ms = performance.now() - started;
  const merged =
    r.status === 0 ? JSON.parse(r.stdout).tracks.filter((t) => t.state === 'merged').length : 0;
  if (merged !== TRACKS)
    throw new Error(
      `implement ${extra.join(' ')}: exit ${r.status}, ${merged}/${TRACKS} merged\n${r.stderr.slice(-3000)}`,
    );
  return ms;
}

function project(dir) {
  const ids = Array.from({ length: TRACKS }, (_, i) => `noop-${String(i).padStart(2, '0')}`);
  makeProject(dir, {
    config: {
      agent: 'scripted',
      concurrency: 4,
      checks: [{ name: 'noop', run: ['true'] }],
      merge: { strategy: 'merge' },
    },
    tracks: ids,
  });
}

export async function run() {
  const tmp = tempDir('ym-bench-fleet-');
  const root = realpathSync(tmp.dir);
  const procs = [];
  try {
    const local = path.join(root, 'local');
    mkdirSync(local);
    project(local);
    const localFirst = implement(local, YM_ENV);
    const port = await freePort();
    const redisDir = path.join(root, 'redis');
    mkdirSync(redisDir);
    const redis = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        redisDir,
        '--appendonly',
        'yes',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    procs.push(redis);
    await waitForPort(port);
    const rows = [];
    for (const workers of [1, 2, 4]) {
      const base = path.join(root, `fleet-${workers}`);
      const repo = path.join(base, 'repo');
      mkdirSync(repo, { recursive: true });
      project(repo);
      const bare = path.join(base, 'remote.git');
      git(base, 'init', '--quiet', '--bare', '-b', 'main', bare);
      git(repo, 'remote', 'add', 'origin', bare);
      git(repo, 'push', '--quiet', 'origin', 'main');
      // Each fleet has its own Redis database, so no run sees another's keys.
      const env = { ...YM_ENV, YM_REDIS_URL: `redis://127.0.0.1:${port}/${workers}` };
      const ws = [];
      for (let i = 1; i <= workers; i++) {
        const clone = path.join(base, `w${i}`);
        git(base, 'clone', '--quiet', bare, clone);
        git(clone, 'config', 'user.name', 'Bench');
        git(clone, 'config', 'user.email', 'bench@example.com');
        const w = spawn(
          process.execPath,
          [CLI, '--cwd', clone, 'worker', '--slots', '4', '--yes'],
          { env, stdio: 'ignore' },
        );
        ws.push(w);
        procs.push(w);
      }
      // Let the workers connect before the clock starts (their start-up is not the engine's per-track cost).
      await new Promise((r) => setTimeout(r, 1500));
      const ms = implement(repo, env);
      for (const w of ws) w.kill('SIGTERM');
      await Promise.all(
        ws.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.once('exit', r)))),
      );
      rows.push({ workers, fleetMs: ms });
    }
    // The local engine again, on a fresh copy of the project, after the fleets: the machine is
    // shared and noisy, so the baseline is the faster of the two (the overhead it gives is the
    // larger, the conservative side).
    const again = path.join(root, 'local-again');
    mkdirSync(again);
    project(again);
    const localMs = Math.min(localFirst, implement(again, YM_ENV));
    return rows.map((r) => {
      const perTrack = (r.fleetMs - localMs) / TRACKS;
      return {
        name: `fleet overhead per track, ${r.workers} worker(s) (local ${(localMs / 1000).toFixed(1)} s, fleet ${(r.fleetMs / 1000).toFixed(1)} s)`,
        value: perTrack,
        unit: 'ms',
        baselineMs: localMs / TRACKS,
        budget: BUDGET_MS,
        ok: perTrack <= BUDGET_MS,
      };
    });
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    tmp.cleanup();
  }
}
