// The fleet's settings and their errors: engine.kind / engine.remote in yardmaster.json (and
// counted for `ym trust`), the Redis URL only from the environment or a file outside the
// repository, never printed, and clear messages when Redis is away or a clone has no remote.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CLI_BIN } from '../helpers/cli.js';
import { makeProject, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

function setConfig(p: Project, patch: Record<string, unknown>): void {
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...patch }));
  p.repo.commit('config');
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('fleet settings', () => {
  it('needs a Redis URL: exit 2 naming YM_REDIS_URL, and --engine picks the engine', async () => {
    project = await makeProject({ tracks: [{ id: 'a1' }] });
    setConfig(project, { agent: 'scripted' });
    const r = await project.ym(['implement', '--engine', 'bullmq']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a Redis URL/);
    expect(r.stderr).toMatch(/YM_REDIS_URL/);
    const noMerge = await project.ym(['implement', '--engine', 'bullmq', '--no-merge'], {
      YM_REDIS_URL: 'redis://127.0.0.1:1/0',
    });
    expect(noMerge.code).toBe(2);
    expect(noMerge.stderr).toMatch(/--no-merge is not supported by the bullmq engine yet/);
    const bad = await project.ym(['implement', '--engine', 'temporal']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/local, bullmq|"local", "bullmq"/);
  });

  it('refuses a URL file inside the repository and never shows a URL it cannot parse', async () => {
    project = await makeProject({ tracks: [{ id: 'a1' }] });
    setConfig(project, { agent: 'scripted', engine: { kind: 'bullmq' } });
    const inside = project.repo.write('redis-url', 'redis://:hunter2pass@127.0.0.1:1/0\n');
    const r = await project.ym(['implement'], { YM_REDIS_URL_FILE: inside });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inside the repository/);
    expect(r.stderr + r.stdout).not.toContain('hunter2pass');
    const notUrl = await project.ym(['implement'], { YM_REDIS_URL: 'http://:hunter2pass@x/0' });
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr + notUrl.stdout).not.toContain('hunter2pass');
  });

  it('rejects an unknown engine.kind by field path, and counts engine for ym trust', async () => {
    project = await makeProject({ tracks: [{ id: 'a1' }] });
    setConfig(project, { agent: 'scripted', engine: { kind: 'temporal' } });
    const bad = await project.ym(['status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/engine\.kind/);
    setConfig(project, { agent: 'scripted', engine: { kind: 'bullmq', remote: 'fleet' } });
    const untrusted = await project.ym(['implement'], {
      CI: undefined,
      YM_REDIS_URL: 'redis://127.0.0.1:1/0',
    });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/would run: engine: bullmq \(remote "fleet"\)/);
  });

  it('a worker whose clone lacks the remote says so (exit 2)', async () => {
    project = await makeProject({ tracks: [{ id: 'a1' }] });
    setConfig(project, { agent: 'scripted' });
    const r = await project.ym(['worker'], { YM_REDIS_URL: 'redis://127.0.0.1:1/0' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no git remote "origin"/);
  });

  it('Redis unreachable: the worker retries with backoff and says so, the password masked', async () => {
    project = await makeProject({ tracks: [{ id: 'a1' }] });
    setConfig(project, { agent: 'scripted' });
    const p = project;
    const bare = path.join(p.repo.root, 'remote.git');
    p.repo.git(['init', '-q', '--bare', '-b', 'main', bare]);
    p.repo.git(['remote', 'add', 'origin', bare]);
    p.repo.git(['push', '-q', 'origin', 'main']);
    const port = await closedPort();
    const child = spawn(
      process.execPath,
      [CLI_BIN, '--cwd', p.repo.dir, 'worker', '--slots', '1'],
      {
        env: {
          ...p.repo.env,
          CI: 'true',
          NO_COLOR: '1',
          YM_REDIS_URL: `redis://:s3cretpass@127.0.0.1:${port}/0`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const until = performance.now() + 20_000;
    while (!/unreachable/.test(out) && performance.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    expect(out).toMatch(
      /Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+\/0 is unreachable .*retrying with backoff/,
    );
    expect(out).not.toContain('s3cretpass');
  });
});
