// Fixture for the fleet tests: a real redis-server on 127.0.0.1 (a free port, a temporary dir,
// AOF on), a bare remote, the coordinator's clone (the project) and one clone per worker, and
// `ym worker` processes of the built CLI. Everything is local: loopback and temporary dirs.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import type { Project } from '../helpers/tracks.js';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (performance.now() > until)
      throw new Error(`redis on ${port} did not come ${up ? 'up' : 'down'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(root: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = path.join(root, 'redis');
  mkdirSync(dir, { recursive: true });
  let proc: ChildProcess | null = null;
  const launch = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port, true);
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null) return;
    const p = proc;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    await waitForPort(port, false);
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    dir,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

export interface FleetWorker {
  name: string;
  dir: string;
  proc: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface Fleet {
  bare: string;
  clones: string[];
  env: Record<string, string>;
  startWorker(i: number, slots?: number): FleetWorker;
  git(dir: string, args: string[]): string;
}

/** A bare remote holding the project's main, and `n` worker clones of it with local git config. */
export function makeFleet(p: Project, n: number, env: Record<string, string>): Fleet {
  const git = (dir: string, args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: p.repo.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const bare = path.join(p.repo.root, 'remote.git');
  git(p.repo.root, ['init', '-q', '--bare', '-b', 'main', bare]);
  git(p.repo.dir, ['remote', 'add', 'origin', bare]);
  git(p.repo.dir, ['push', '-q', 'origin', 'main']);
  git(p.repo.dir, ['fetch', '-q', 'origin']);
  const clones: string[] = [];
  for (let i = 1; i <= n; i++) {
    const dir = path.join(p.repo.root, `worker${i}`);
    git(p.repo.root, ['clone', '-q', bare, dir]);
    for (const [k, v] of [
      ['user.name', `Worker ${i}`],
      ['user.email', `w${i}@yardmaster.invalid`],
      ['commit.gpgSign', 'false'],
      ['gc.auto', '0'],
    ] as const)
      git(dir, ['config', k, v]);
    clones.push(dir);
  }
  const startWorker = (i: number, slots = 2): FleetWorker => {
    const dir = clones[i - 1]!;
    const proc = spawn(
      process.execPath,
      [CLI_BIN, '--cwd', dir, 'worker', '--slots', String(slots)],
      {
        env: { ...p.repo.env, CI: 'true', NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    return { name: `worker${i}`, dir, proc, output: () => out, exited };
  };
  return { bare, clones, env, startWorker, git };
}

/** The most agents running at once, from their own start/end records. */
export function maxConcurrent(records: { event: string; at: number; pid: number }[]): number {
  const marks = records
    .filter((r) => r.event === 'start' || r.event === 'end')
    .map((r) => ({ at: r.at, d: r.event === 'start' ? 1 : -1 }))
    // An end before a start at the same millisecond: the cap is about overlap.
    .sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const m of marks) {
    now += m.d;
    max = Math.max(max, now);
  }
  return max;
}

/** Stops every worker (SIGTERM: drain) and waits; SIGKILL after 20 s. */
export async function stopWorkers(workers: FleetWorker[]): Promise<void> {
  for (const w of workers)
    if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
  await Promise.all(
    workers.map(async (w) => {
      const t = setTimeout(() => w.proc.kill('SIGKILL'), 20_000);
      await w.exited;
      clearTimeout(t);
    }),
  );
}

export function writeCheck(root: string): string {
  // The suite: no file under src/ says BAD, and each track's file names its dependencies'
  // files, which must exist (a track merged before its dependency would fail it).
  const file = path.join(root, 'suite-check.mjs');
  writeFileSync(
    file,
    `import { existsSync, readdirSync, readFileSync } from 'node:fs';
let bad = [];
if (existsSync('src')) for (const f of readdirSync('src')) {
  const text = readFileSync('src/' + f, 'utf8');
  if (text.includes('BAD')) bad.push('src/' + f + ' says BAD');
}
if (bad.length) { console.log(bad.join('\\n')); process.exit(1); }
`,
  );
  return file;
}

export function expectNoOverlap(intervals: { start: number; end: number; id: string }[]): void {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++)
    expect(
      sorted[i]!.start,
      `${sorted[i]!.id} started before ${sorted[i - 1]!.id} ended`,
    ).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
}

/** Processes whose command line names `root` (agents, checks, workers, redis): none may outlive a test. */
export async function leftoverProcesses(root: string, waitMs = 10_000): Promise<string[]> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const scan = () =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
      .flatMap((d) => {
        try {
          const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim();
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const zombie = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
          return cmd.includes(root) && !zombie ? [`${d}: ${cmd}`] : [];
        } catch {
          return [];
        }
      });
  const until = performance.now() + waitMs;
  let left = scan();
  while (left.length && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    left = scan();
  }
  return left;
}
