// Faults of a standalone `ym merge` (local provider): two merges at once over the same ready
// tracks, kill -9 at random points then `ym merge` again, and a target reset by someone else in
// the middle of the queue. After each: every ready track merged exactly once, every first-parent
// commit added to the target passed the checks on its exact tree, and no check is left running.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_BIN } from '../helpers/cli.js';
import { FIXTURES, makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';
import { recordReliability } from '../helpers/reliability.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

const SOAK = process.env.YM_SOAK === '1';

interface CheckRec {
  event: 'start' | 'pass';
  tree: string;
  head: string;
  pid: number;
}

/** A project whose tracks are all ready (implemented with --no-merge), checked by tree-check.mjs. */
async function readyTracks(ids: string[], checkSleepMs: number, config: Record<string, unknown> = {}) {
  project = await makeProject({ tracks: ids.map((id) => ({ id })) });
  const p = project;
  const checkFile = path.join(p.repo.root, 'checks.jsonl');
  useRecordingAgent(p, { '*': { sleepMs: 10 } }, {
    config: { checks: [{ name: 'tree', run: [process.execPath, path.join(FIXTURES, 'tree-check.mjs'), checkFile, String(checkSleepMs)] }], ...config },
  });
  const r = await p.ym(['implement', '--no-merge', '--concurrency', '4'], {}, 120_000);
  expect(r.code, r.stderr).toBe(0);
  expect(await states(p)).toEqual(ids.map(() => 'ready'));
  const start = p.repo.git(['rev-parse', 'main']).trim();
  const checks = (): CheckRec[] =>
    existsSync(checkFile) ? readFileSync(checkFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckRec) : [];
  return { p, start, checkFile, checks };
}

async function states(p: Project): Promise<string[]> {
  const r = await p.ym(['status', '--json']);
  return (JSON.parse(r.stdout) as { tracks: { state: string }[] }).tracks.map((t) => t.state);
}

/**
 * The invariants after the queue: target history first-parent linear over `start`, each track's
 * commit there exactly once, and every first-parent commit added passed the check on its tree.
 */
function verifyTarget(p: Project, start: string, ids: string[], checks: CheckRec[]): number {
  const added = p.repo.git(['rev-list', '--first-parent', `${start}..main`]).split('\n').filter(Boolean);
  const all = p.repo.git(['rev-list', `${start}..main`]).split('\n').filter(Boolean);
  expect(all.sort()).toEqual([...added].sort()); // no merge commits: linear
  const passed = new Set(checks.filter((c) => c.event === 'pass').map((c) => c.tree));
  for (const sha of added) expect(passed.has(p.repo.git(['rev-parse', `${sha}^{tree}`]).trim()), `unvalidated commit ${sha} on main`).toBe(true);
  const subjects = p.repo.git(['log', '--format=%s', 'main']).split('\n');
  for (const id of ids) {
    expect(subjects.filter((s) => s === `${id}: work`).length, `${id} on main`).toBe(1);
    expect(p.repo.git(['show', `main:src/${id}.txt`])).toBe(`${id} was here\n`);
  }
  return added.length;
}

/** Processes whose command line names `marker` (a check left running), zombies excepted. */
function processesNaming(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Starts `ym merge`; SIGKILLs it after `killAfterMs` unless null. */
function mergeOnce(p: Project, killAfterMs: number | null): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'merge'], {
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
      resolve({ code, signal, out });
    }),
  );
}

describe('merge faults (local provider)', () => {
  it('two `ym merge` at once over the same ready tracks: one merge at a time, each track once', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    const { p, start, checks } = await readyTracks(ids, 150);
    const implemented = checks().length;
    const [one, two] = await Promise.all([mergeOnce(p, null), mergeOnce(p, null)]);
    expect(one.code, one.out).toBe(0);
    expect(two.code, two.out).toBe(0);
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    expect(verifyTarget(p, start, ids, checks())).toBe(ids.length);
    // One merge at a time: no two merge-time checks overlapped (each start directly followed by
    // its own pass), and no track was checked twice.
    const during = checks().slice(implemented);
    expect(during.length).toBe(2 * ids.length);
    for (let i = 0; i < during.length; i += 2) {
      expect(during[i]).toMatchObject({ event: 'start' });
      expect(during[i + 1]).toMatchObject({ event: 'pass', pid: during[i]!.pid });
    }
    expect(p.repo.git(['status', '--porcelain'])).toBe('');
    recordReliability({
      suite: 'merge queue',
      tried: 'two `ym merge` processes started at once over the same four ready tracks (local provider)',
      outcome: 'both exit 0; the merge lock in state.db lets one land at a time, the other waits for it and skips what is already merged',
      nothingLost: 'main first-parent linear with each track\'s commit exactly once; every commit added passed the check on its exact tree; the checkout clean',
    });
  }, 180_000);

  const BASE_SEED = Number(process.env.YM_CRASH_SEED ?? 4711);
  const SEEDS = SOAK ? [BASE_SEED, 3, 555, 90210] : [BASE_SEED];
  it.each(SEEDS)('kill -9 of `ym merge` at random points, then `ym merge` again (seed %i)', async (startSeed) => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const { p, start, checkFile, checks } = await readyTracks(ids, 300);
    let seed = startSeed;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rounds = SOAK ? 25 : 8;
    let kills = 0;
    let finished = false;
    for (let round = 0; round < rounds + 10 && !finished; round++) {
      const r = await mergeOnce(p, round < rounds ? 100 + Math.floor(rand() * 1400) : null);
      if (r.signal === 'SIGKILL') kills++;
      else finished = true;
      expect(r.signal === 'SIGKILL' || r.code === 0, `round ${round}: exit ${String(r.code)}\n${r.out}`).toBe(true);
    }
    expect(finished).toBe(true);
    expect(kills).toBeGreaterThan(0);
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    verifyTarget(p, start, ids, checks());
    expect(p.repo.git(['status', '--porcelain'])).toBe('');
    // No check a killed merge started is still running.
    await new Promise((r) => setTimeout(r, 100));
    expect(processesNaming(checkFile)).toEqual([]);
    const doctor = await p.ym(['doctor']);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    recordReliability({
      suite: 'crash and resume',
      tried: `kill -9 of a standalone \`ym merge\` ${kills} times at random moments of a five-track queue (rebase, checks, between the ref update and its record), re-running it after each kill (seed ${startSeed})`,
      outcome: 'the next `ym merge` recovers the interrupted merge (recorded as merged when the target already holds its validated head, else back to ready) and ends its checks; the last run exits 0, all five merged',
      nothingLost: 'each track\'s commit on main exactly once; every first-parent commit added passed the check on its exact tree; no check left running; `ym doctor` clean',
    });
  }, SOAK ? 900_000 : 240_000);

  it('the target reset by someone else mid-queue (merge.push to a remote): never overwritten, the queue rebuilds', async () => {
    const ids = ['a', 'b', 'c'];
    const { p, start, checks } = await readyTracks(ids, 0, { merge: { push: true } });
    const remote = path.join(p.repo.root, 'remote.git');
    p.repo.git(['init', '-q', '--bare', remote]);
    p.repo.git(['remote', 'add', 'origin', remote]);
    p.repo.git(['push', '-q', 'origin', 'main']);
    // Someone else force-pushes main while the first track is being checked: a commit of theirs
    // replaces nothing of ours yet, but main on the remote is no longer what the queue built on.
    const other = path.join(p.repo.root, 'other');
    p.repo.git(['clone', '-q', remote, other]);
    const hook = path.join(p.repo.root, 'force-push.sh');
    writeFileSync(
      hook,
      `#!/bin/sh\n[ -e "${other}/done" ] && exit 0\ntouch "${other}/done"\ncd "${other}" && git -c user.name=o -c user.email=o@x commit -q --allow-empty -m "someone else's commit" && git push -q --force origin HEAD:main\n`,
      { mode: 0o755 },
    );
    const cfgFile = path.join(p.repo.dir, 'yardmaster.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as { checks: { name: string; run: string[] }[] };
    cfg.checks.push({ name: 'someone-else', run: ['/bin/sh', hook] });
    writeFileSync(cfgFile, JSON.stringify(cfg));
    p.repo.commit('a check that lets someone else push main');
    p.repo.git(['push', '-q', 'origin', 'main']);
    const before = p.repo.git(['rev-parse', 'main']).trim();
    const r = await p.ym(['merge'], {}, 120_000);
    console.log(r.stdout, r.stderr);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/target moved \(the remote origin refused a fast-forward of main\)/);
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    // Their commit is kept, under ours; the remote and the local target agree.
    const remoteMain = p.repo.git(['--git-dir', remote, 'rev-parse', 'main']).trim();
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(remoteMain);
    const subjects = p.repo.git(['log', '--format=%s', 'main']).split('\n');
    expect(subjects).toContain("someone else's commit");
    expect(p.repo.git(['merge-base', '--is-ancestor', before, 'main']).trim()).toBe('');
    verifyTarget(p, start, ids, checks());
    recordReliability({
      suite: 'merge queue',
      tried: 'the target force-pushed on the remote by someone else while the queue checked a track (merge.push with a bare remote)',
      outcome: 'the fast-forward push is refused (never forced); "target moved", the queue syncs to the new main and rebuilds; exit 0, all three merged',
      nothingLost: 'the other person\'s commit kept under ours; local and remote main agree; every first-parent commit added passed the check on its exact tree',
    });
  }, 180_000);
});
