// Faults of agents and of the machine during `implement`: garbage output, a rebase left
// half-way, deleted files, a full disk for the run log, Ctrl-C, two implement processes at once.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_BIN } from '../helpers/cli.js';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';
import { isAlive as alive } from '../../src/proc/run.js';
import { openStateStore } from '../../src/state/open.js';
import { recordReliability } from '../helpers/reliability.js';

const row = (tried: string, outcome: string, nothingLost: string) =>
  recordReliability({ suite: 'agent and machine faults', tried, outcome, nothingLost });

let project: Project | undefined;
afterEach(() => project?.cleanup());

async function setup(
  ids: string[],
  behaviours: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  project = await makeProject({ tracks: ids.map((id) => ({ id })) });
  const p = project;
  const { records } = useRecordingAgent(p, behaviours, { config: extra });
  return { p, records, stateDir: path.join(p.repo.dir, '.git', 'yardmaster') };
}

/** The database is consistent: every state can be rebuilt from the event log; no run left open. */
function assertConsistent(stateDir: string): void {
  const store = openStateStore(stateDir);
  try {
    const tracks = store.listTracks();
    const rebuilt = store.rebuildStatesFromEvents();
    for (const t of tracks) expect(rebuilt.get(t.id), t.id).toBe(t.state);
    for (const t of tracks)
      for (const r of store.listRuns(t.id)) expect(r.state, `run ${r.id}`).not.toBe('running');
  } finally {
    store.close();
  }
}

describe('agent and machine faults', () => {
  it('survives megabytes of binary garbage, keeping every byte in the log', async () => {
    const { p, stateDir } = await setup(['noisy'], { noisy: { behaviour: 'spew' } });
    const r = await p.ym(['implement', '--json'], {}, 120_000);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks[0].state).toBe('merged');
    const log = path.join(stateDir, 'logs', 'noisy', '1.log');
    expect(statSync(log).size).toBeGreaterThan(7_000_000);
    assertConsistent(stateDir);
    row(
      'an agent that prints megabytes of binary garbage',
      'exit 0, track merged; bounded memory',
      'every byte in the run log (> 7 MB); state rebuilds from events',
    );
  });

  it('ends the children an agent leaves running when it exits, in its group or in a session of their own', async () => {
    const { p, records, stateDir } = await setup(['forky'], { forky: { behaviour: 'fork' } });
    const r = await p.ym(['implement', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks[0].state).toBe('merged');
    const children = records().find((e) => e.event === 'forked')?.children ?? [];
    expect(children).toHaveLength(2);
    const left = children.filter((pid) => alive(pid));
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left, 'children still running after implement').toEqual([]);
    assertConsistent(stateDir);
    row(
      'an agent that leaves two children running and exits 0: one in its process group, one in a session of its own (setsid)',
      'exit 0, track merged; both children ended when the agent exited',
      'no process of the run left; state rebuilds from events',
    );
  });

  it('aborts a rebase an agent left in progress and fails that attempt', async () => {
    const { p, stateDir } = await setup(
      ['messy'],
      { messy: { behaviour: 'rebase-mess' } },
      { attempts: 1 },
    );
    const r = await p.ym(['implement', '--json']);
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout).tracks[0];
    expect(t.reason).toMatch(/left a rebase in progress \(aborted\)/);
    expect(existsSync(path.join(p.repo.dir, '.git', 'worktrees', 'messy', 'rebase-merge'))).toBe(
      false,
    );
    assertConsistent(stateDir);
    row(
      'an agent that leaves a rebase in progress in its worktree',
      `exit 1, track failed: "${String(t.reason)}"`,
      'rebase aborted, worktree clean; state rebuilds from events, no run left open',
    );
  });

  it('commits deletions an agent left, with the trailer', async () => {
    const { p } = await setup(['deleter'], { deleter: { behaviour: 'delete' } });
    const r = await p.ym(['implement', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(p.repo.exists('README.md')).toBe(false);
    const log = p.repo.git([
      'log',
      '-1',
      '--format=%s%n%(trailers:key=Yardmaster-Track,valueonly)',
      'main',
    ]);
    expect(log).toContain('uncommitted work of rec');
    expect(log).toContain('deleter');
    row(
      'an agent that deletes files and leaves them uncommitted',
      'exit 0; yardmaster commits the deletions with the Yardmaster-Track trailer, merged',
      'the deletion is on main as one commit of the track',
    );
  });

  it('fails cleanly when the run log cannot be written (disk full)', async () => {
    const { p, stateDir } = await setup(['full'], {}, { attempts: 2 });
    mkdirSync(path.join(stateDir, 'logs', 'full'), { recursive: true });
    for (const run of [1, 2])
      symlinkSync('/dev/full', path.join(stateDir, 'logs', 'full', `${run}.log`));
    const r = await p.ym(['implement', '--json']);
    expect(r.code).toBe(1);
    const t = JSON.parse(r.stdout).tracks[0];
    expect(t.state).toBe('failed');
    expect(t.reason).toMatch(/could not write the run log: ENOSPC/);
    assertConsistent(stateDir);
    row(
      'disk full while writing the run log (/dev/full)',
      `exit 1, track failed: "${String(t.reason)}"`,
      'state rebuilds from events, no run left open',
    );
  });

  it('Ctrl-C stops the agents, marks them interrupted, exits 130; the next run resumes', async () => {
    const { p, records, stateDir } = await setup(['slow', 'slow2'], { '*': { sleepMs: 30_000 } });
    const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'implement', '--plain'], {
      env: { ...p.repo.env, CI: 'true', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const deadline = Date.now() + 20_000;
    while (records().filter((r) => r.event === 'start').length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    for (const r of records()) expect(alive(r.pid), `agent ${r.pid}`).toBe(false);
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { state: string }[];
    };
    expect(status.tracks.map((t) => t.state)).toEqual(['interrupted', 'interrupted']);
    assertConsistent(stateDir);
    writeFileSync(path.join(p.repo.root, 'behaviour.json'), JSON.stringify({}));
    const again = await p.ym(['implement', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).tracks.map((t: { state: string }) => t.state)).toEqual([
      'merged',
      'merged',
    ]);
    row(
      'Ctrl-C (SIGINT) while two agents run',
      'exit 130; both tracks interrupted; the next implement resumes and merges both',
      'no agent process left; state rebuilds from events',
    );
  });

  it('two implement processes at once never run the same track', async () => {
    const ids = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const { p, records, stateDir } = await setup(ids, { '*': { sleepMs: 300 } });
    const [a, b] = await Promise.all([
      p.ym(['implement', '--concurrency', '2']),
      p.ym(['implement', '--concurrency', '2']),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const recs = records();
    expect(recs.filter((r) => r.event === 'overlap')).toEqual([]);
    for (const id of ids)
      expect(recs.filter((r) => r.track === id && r.event === 'start')).toHaveLength(1);
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { state: string }[];
    };
    expect(status.tracks.every((t) => t.state === 'merged')).toBe(true);
    assertConsistent(stateDir);
    row(
      'two implement processes at once on five tracks',
      'both exit 0; all five merged',
      'each track run exactly once, never two runs at once; state rebuilds from events',
    );
  });
});
