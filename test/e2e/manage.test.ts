// cancel, archive and clean end to end: a running track stopped through its implement process,
// one whose process died, refusals; docs moved as a staged rename; worktrees and branches removed
// only when no work is lost, or listed, or removed with --force.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_BIN } from '../helpers/cli.js';
import { markers, mergedSlug, type RevertFixture } from '../helpers/revert.js';
import { processAlive } from '../helpers/track-repo.js';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';

let project: Project | RevertFixture | undefined;
afterEach(() => project?.cleanup());

async function slowProject(ids: string[]) {
  const p = await makeProject({ tracks: ids.map((id) => ({ id })) });
  project = p;
  // The recording agent, sleeping a minute in every track; its records are read while agents
  // append (only complete lines count: the file may exist still empty).
  const rec = useRecordingAgent(p, { '*': { sleepMs: 60_000 } }, { timeoutSec: 120 });
  const starts = (): { track: string; pid: number }[] =>
    rec.records().filter((r) => r.event === 'start');
  const implement = () => {
    const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'implement', '--plain'], {
      env: { ...p.repo.env, CI: 'true', NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    return { child, exited };
  };
  const waitFor = async (cond: () => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(cond()).toBe(true);
  };
  const state = async (id: string) =>
    (
      JSON.parse((await p.ym(['status', '--json'])).stdout).tracks as {
        id: string;
        state: string;
        worktree: string | null;
      }[]
    ).find((t) => t.id === id)!;
  return { p, starts, implement, waitFor, state };
}

describe('cancel', () => {
  it('stops a running track through its implement process within seconds, keeping its worktree', async () => {
    const { p, starts, implement, waitFor, state } = await slowProject(['slow']);
    const run = implement();
    await waitFor(() => starts().length === 1);
    const t0 = Date.now();
    const r = await p.ym(['cancel', 'slow']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Cancelled slow: its implement process stopped it.');
    expect(Date.now() - t0).toBeLessThan(10_000);
    await waitFor(() => !processAlive(starts()[0]!.pid), 5_000);
    expect(await run.exited).toBe(0);
    const t = await state('slow');
    expect(t.state).toBe('cancelled');
    expect(existsSync(t.worktree!)).toBe(true);
  });

  it('cancels directly a track whose process died, ending the agent it left running', async () => {
    const { p, starts, implement, waitFor, state } = await slowProject(['orphan', 'waiting']);
    const run = implement();
    await waitFor(() => starts().length === 2);
    run.child.kill('SIGKILL');
    await run.exited;
    const agent = starts().find((s) => s.track === 'orphan')!.pid;
    expect(processAlive(agent)).toBe(true); // its own process group: it outlived implement
    const r = await p.ym(['cancel', 'orphan', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'orphan', state: 'cancelled' });
    await waitFor(() => !processAlive(agent), 5_000);
    expect((await state('orphan')).state).toBe('cancelled');
    expect((await p.ym(['cancel', 'waiting'])).code).toBe(0);
    await waitFor(() => starts().every((s) => !processAlive(s.pid)), 5_000);
  });

  it('cancels a planned track directly; refuses unknown and merged ones', async () => {
    project = await makeProject({
      tracks: [{ id: 'later' }, { id: 'done' }],
      config: { agent: 'scripted' },
    });
    const p = project;
    expect((await p.ym(['implement', 'done'])).code).toBe(0);
    const r = await p.ym(['cancel', 'later']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Cancelled later (it was planned).');
    expect((await p.ym(['cancel', 'later'])).stdout).toContain('later was already cancelled.');
    const merged = await p.ym(['cancel', 'done']);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toContain('Undo it on the target with `ym revert done`');
    const ghost = await p.ym(['cancel', 'ghost']);
    expect(ghost.code).toBe(2);
    expect(ghost.stderr).toContain('Unknown track "ghost"');
  });
});

describe('archive', () => {
  it('moves a finished track’s docs as a staged rename; refuses unfinished tracks and uncommitted docs', async () => {
    const f = await mergedSlug({ strategy: 'rebase', others: [{ id: 'other' }] });
    project = f;
    const refused = async (id: string, message: string) => {
      const r = await f.ym(['archive', id]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(f.repo.exists('yardmaster/archive')).toBe(false);
    };
    await refused('other', 'Track other is planned; only a finished track');
    await refused('ghost', 'Unknown track "ghost"');
    f.repo.write('yardmaster/tracks/slug/spec.md', '# changed, not committed\n');
    await refused(
      'slug',
      'yardmaster/tracks/slug/ has uncommitted changes (yardmaster/tracks/slug/spec.md)',
    );
    f.git(['checkout', '--', 'yardmaster/tracks/slug/spec.md']);
    const r = await f.ym(['archive', 'slug']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Commit it: git commit -m "Archive track slug"');
    expect(f.git(['status', '--porcelain'])).toMatch(
      /^R {2}yardmaster\/tracks\/slug\/plan\.md -> yardmaster\/archive\/slug\/plan\.md$/m,
    );
    expect(f.repo.exists('yardmaster/tracks/slug')).toBe(false);
    expect(f.repo.exists('yardmaster/archive/slug/track.json')).toBe(true);
    const slug = (await f.status()).tracks.find((t) => t.id === 'slug')!;
    expect(slug).toMatchObject({ state: 'merged', archived: true });
    expect((await f.ym(['archive', 'slug'])).stdout).toContain('slug is already archived');
    // Once committed, an archived track can still be reverted: its markers are reset where they are.
    f.repo.commit('Archive track slug');
    const rv = await f.ym(['revert', 'slug:task1.2', '--yes']);
    expect(rv.code, rv.stderr).toBe(0);
    expect(markers(f.git(['show', 'main:yardmaster/archive/slug/plan.md']))['1.2']).toBe(' ');
    expect(f.onMain('src/b.js')).toBeNull();
  });
});

describe('clean', () => {
  it('removes what loses nothing, lists exactly what would be lost, and removes it with --force', async () => {
    project = await makeProject({
      tracks: [{ id: 'done' }, { id: 'stopped' }],
      config: {
        agent: 'scripted',
        merge: { strategy: 'squash', deleteBranch: false },
        worktrees: { reuse: false },
      },
    });
    const p = project;
    expect((await p.ym(['implement', 'done'])).code).toBe(0);
    expect((await p.ym(['implement', 'stopped', '--no-merge'])).code).toBe(0);
    expect((await p.ym(['cancel', 'stopped'])).code).toBe(0);
    const wt = (id: string) => path.join(p.repo.root, 'repo.yardmaster', id);
    writeFileSync(path.join(wt('stopped'), 'notes.txt'), 'mine\n');
    const branches = () =>
      p.repo
        .git(['branch', '--list', 'ym/*', '--format=%(refname:short)'])
        .split('\n')
        .filter(Boolean);
    expect(branches()).toEqual(['ym/done', 'ym/stopped']);

    const dry = await p.ym(['clean', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    // The squashed branch reached main (its merge record says so): nothing of it is lost.
    expect(plan.remove).toMatchObject([
      { track: 'done', worktree: wt('done'), branch: 'ym/done', unmerged: [] },
    ]);
    expect(plan.keep).toMatchObject([
      {
        track: 'stopped',
        worktree: wt('stopped'),
        branch: 'ym/stopped',
        uncommitted: ['notes.txt'],
      },
    ]);
    expect(plan.keep[0].unmerged.map((c: { subject: string }) => c.subject)).toContain(
      'chore: complete the plan of stopped',
    );
    expect(existsSync(wt('done'))).toBe(true);
    expect(branches()).toEqual(['ym/done', 'ym/stopped']);

    const kept = await p.ym(['clean']);
    expect(kept.code).toBe(1);
    expect(kept.stdout).toContain(
      `Removed:\n  done (merged): worktree ${wt('done')}, branch ym/done`,
    );
    expect(kept.stdout).toContain('Kept (removing them loses work; --force removes them anyway):');
    expect(kept.stdout).toContain('would lose uncommitted: notes.txt');
    expect(kept.stdout).toMatch(
      /would lose commit [0-9a-f]{10} chore: complete the plan of stopped \(not on the target\)/,
    );
    expect(existsSync(wt('done'))).toBe(false);
    expect(existsSync(wt('stopped'))).toBe(true);
    expect(branches()).toEqual(['ym/stopped']);

    const forced = await p.ym(['clean', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('lost uncommitted: notes.txt');
    expect(existsSync(wt('stopped'))).toBe(false);
    expect(branches()).toEqual([]);
    expect((await p.ym(['clean'])).stdout).toContain('Nothing to clean');
    expect(p.repo.git(['status', '--porcelain'])).toBe('');
  });
});
