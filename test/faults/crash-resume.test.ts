// kill -9 of `implement` at random points of a 10-track run, then run it again, repeatedly:
// every track ends merged, no commit is lost, no track ever runs twice at once, and no agent
// process is left behind.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI_BIN } from '../helpers/cli.js';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';
import { isAlive as alive } from '../../src/proc/run.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

/** Starts implement and SIGKILLs it after `killAfterMs` (or lets it finish); resolves its exit. */
function implementOnce(p: Project, killAfterMs: number | null): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'implement', '--concurrency', '3', '--plain'], {
    env: { ...p.repo.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out: out.split('\n').slice(-15).join('\n') });
    }),
  );
}

describe('crash and resume', () => {
  it('survives kill -9 at random points of a 10-track run', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    project = await makeProject({
      tracks: ids.map((id, i) => ({ id, dependsOn: i >= 7 ? [`t${i - 7}`] : [] })),
    });
    const { records } = useRecordingAgent(project, { '*': { sleepMs: 250 } }, { timeoutSec: 30 });
    // A seeded sequence of kill delays, so a failure can be replayed.
    let seed = Number(process.env.YM_CRASH_SEED ?? 20261122);
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let finished = false;
    let kills = 0;
    for (let round = 0; round < 25 && !finished; round++) {
      const killAt = round < 12 ? 150 + Math.floor(rand() * 1200) : null;
      const r = await implementOnce(project, killAt);
      if (r.signal === 'SIGKILL') kills++;
      else finished = true;
      expect(r.signal === 'SIGKILL' || r.code === 0, `round ${round}: exit ${String(r.code)}\n${r.out}`).toBe(true);
    }
    expect(finished).toBe(true);
    expect(kills).toBeGreaterThan(0);
    const status = JSON.parse((await project.ym(['status', '--json'])).stdout) as { tracks: { id: string; state: string }[] };
    expect(status.tracks.map((t) => t.state)).toEqual(ids.map(() => 'merged'));
    // No commit lost: every track's work is on main, each exactly once in the history.
    for (const id of ids) expect(project.repo.git(['show', `main:src/${id}.txt`])).toBe(`${id} was here\n`);
    const subjects = project.repo.git(['log', '--format=%s', 'main']).split('\n');
    for (const id of ids) expect(subjects.filter((s) => s === `${id}: work`).length).toBe(1);
    // Never two runs of one track at once; no agent left running.
    const recs = records();
    expect(recs.filter((r) => r.event === 'overlap')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(recs.filter((r) => alive(r.pid)).map((r) => r.pid)).toEqual([]);
  }, 240_000);
});
