// `doctor` finds what went wrong behind yardmaster's back and repairs what is safe.
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { makeProject, type Project } from '../helpers/tracks.js';
import { openStateStore } from '../../src/state/open.js';
import { recordReliability } from '../helpers/reliability.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

interface Report {
  ok: boolean;
  findings: {
    kind: string;
    subject: string;
    detail: string;
    fixable: boolean;
    fixed: string | null;
  }[];
}

describe('doctor', () => {
  it('is quiet on a healthy repository', async () => {
    project = await makeProject({ tracks: [{ id: 'a' }], config: { agent: 'scripted' } });
    expect((await project.ym(['implement'])).code).toBe(0);
    const r = await project.ym(['doctor', '--json']);
    expect(r.code, r.stdout).toBe(0);
    expect((JSON.parse(r.stdout) as Report).findings).toEqual([]);
    recordReliability({
      suite: 'doctor',
      tried: '`ym doctor` on a healthy repository after implement',
      outcome: 'exit 0, no findings',
      nothingLost: 'nothing changed',
    });
  });

  it('repairs a worktree deleted by hand, a dead lease, strays and a rebase left behind', async () => {
    project = await makeProject({
      tracks: [{ id: 'gone' }, { id: 'stuck' }, { id: 'messy' }],
      config: { agent: 'scripted' },
    });
    const p = project;
    expect((await p.ym(['implement', '--no-merge', 'gone', 'messy'])).code).toBe(0);
    const stateDir = path.join(p.repo.dir, '.git', 'yardmaster');
    const wtRoot = path.join(p.repo.root, 'repo.yardmaster');
    // 1. The worktree of a ready track, deleted by hand.
    rmSync(path.join(wtRoot, 'gone'), { recursive: true, force: true });
    // 2. A run whose process died without a trace (pid 999999 does not exist).
    const store = openStateStore(stateDir);
    store.transition('stuck', 'queued', { from: 'planned' });
    store.transition('stuck', 'provisioning', { from: 'queued' });
    store.startRun({
      trackId: 'stuck',
      attempt: 1,
      agent: 'scripted',
      pid: 999_999,
      host: (await import('node:os')).hostname(),
    });
    store.close();
    // 3. A stray clean worktree, a merged branch and an unmerged branch without tracks.
    p.repo.git(['worktree', 'add', '-q', path.join(wtRoot, 'stray'), '-b', 'ym/stray']);
    p.repo.git(['branch', 'ym/merged-ghost', 'main']);
    p.repo.git(['branch', 'ym/unmerged-ghost', 'ym/messy']);
    // 4. A rebase left in progress in the worktree of a ready track.
    const messy = path.join(wtRoot, 'messy');
    p.repo.git(['switch', '-q', '-c', 'side', 'main'], messy);
    p.repo.write('../repo.yardmaster/messy/clash.txt', 'side\n');
    p.repo.git(['add', '-A'], messy);
    p.repo.git(['commit', '-q', '-m', 'side'], messy);
    p.repo.git(['switch', '-q', 'ym/messy'], messy);
    p.repo.write('../repo.yardmaster/messy/clash.txt', 'mine\n');
    p.repo.git(['add', '-A'], messy);
    p.repo.git(['commit', '-q', '-m', 'mine'], messy);
    expect(() => p.repo.git(['rebase', 'side'], messy)).toThrow();

    const before = await p.ym(['doctor', '--json']);
    expect(before.code).toBe(1);
    const found = (JSON.parse(before.stdout) as Report).findings;
    const detail = (subject: string) =>
      found
        .filter((f) => f.subject.includes(subject))
        .map((f) => f.detail)
        .join(' | ');
    expect(detail('gone')).toMatch(/worktree .* is gone/);
    expect(detail('stuck')).toMatch(/process .* is gone or silent/);
    expect(detail('stray')).toMatch(/no track owns/);
    expect(detail('ym/merged-ghost')).toMatch(/fully merged/);
    expect(detail('ym/unmerged-ghost')).toMatch(/unmerged commits: kept/);
    expect(detail('messy')).toMatch(/a rebase is in progress/);

    const fixed = await p.ym(['doctor', '--fix', '--json']);
    const after = (JSON.parse(fixed.stdout) as Report).findings;
    // Everything was fixed except the unmerged branch and the stray branch, which only the user may delete.
    expect(
      after
        .filter((f) => !f.fixed)
        .map((f) => f.subject)
        .sort(),
    ).toEqual(['ym/stray', 'ym/unmerged-ghost']);
    expect(p.repo.git(['branch', '--list', 'ym/unmerged-ghost']).trim()).not.toBe('');
    const again = JSON.parse((await p.ym(['doctor', '--json'])).stdout) as Report;
    expect(again.findings.map((f) => f.subject).sort()).toEqual(['ym/stray', 'ym/unmerged-ghost']);
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { id: string; state: string }[];
    };
    expect(status.tracks.find((t) => t.id === 'stuck')?.state).toBe('interrupted');
    // And the pipeline finishes: the track whose worktree was deleted merges from its branch.
    const done = await p.ym(['implement', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(
      (JSON.parse(done.stdout) as { tracks: { state: string }[] }).tracks.every(
        (t) => t.state === 'merged',
      ),
    ).toBe(true);
    recordReliability({
      suite: 'doctor',
      tried:
        'a worktree deleted by hand, a run whose process died, a stray worktree, branches without tracks (merged and unmerged), a rebase left in a worktree',
      outcome:
        'doctor exits 1 naming each; --fix repairs all but the two branches only the user may delete; implement then merges every track',
      nothingLost:
        'the unmerged branch is kept; the track whose worktree was deleted merges from its branch',
    });
  });
});
