// readTrackHistory against a real repository, without a merge record (a merge recorded by crash
// recovery): the track's commits are found by their trailer alone, a commit without a task trailer
// gets the tasks it ticked in plan.md, and `Yardmaster-Revert` trailers mark what is undone.
import { afterEach, describe, expect, it } from 'vitest';
import { createGit } from '../../src/git/git.js';
import { runProcess } from '../../src/proc/run.js';
import { readTrackHistory } from '../../src/revert/history.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

const PLAN = (m1: string, m2: string) =>
  `# Plan: s\n## Phase 1: A\n- [${m1}] 1.1 one\n- [${m2}] 1.2 two\n`;

describe('readTrackHistory', () => {
  it('finds a track by its trailers when no merge range is recorded', async () => {
    repo = makeRepo({ files: { 'yardmaster/tracks/slug/plan.md': PLAN(' ', ' ') } });
    const r = repo;
    const commit = (message: string, files: Record<string, string>) => {
      for (const [f, t] of Object.entries(files)) r.write(f, t);
      return r.commit(message);
    };
    const one = commit('one\n\nYardmaster-Track: slug', {
      'src/a.js': 'a\n',
      'yardmaster/tracks/slug/plan.md': PLAN('x', ' '),
    });
    commit('elsewhere\n\nYardmaster-Track: slug-two', { 'src/z.js': 'z\n' });
    const two = commit('two\n\nYardmaster-Track: slug\nYardmaster-Task: 1.2', {
      'src/b.js': 'b\n',
      'yardmaster/tracks/slug/plan.md': PLAN('x', 'x'),
    });
    commit(`Revert "one"\n\nYardmaster-Track: slug\nYardmaster-Revert: ${one}`, { 'src/a.js': '' });
    const git = createGit(runProcess, r.dir);
    const head = r.git(['rev-parse', 'HEAD']).trim();
    const h = await readTrackHistory({
      git,
      run: runProcess,
      trackId: 'slug',
      target: 'main',
      targetSha: head,
      mergedSha: null,
      record: null,
    });
    expect(h.units.map((u) => [u.sha, u.kind, u.tasks, u.files])).toEqual([
      [two, 'commit', ['1.2'], ['src/b.js']],
      [one, 'commit', ['1.1'], ['src/a.js']],
    ]);
    expect(h.reverted.get(one)).toBe(head);
  });

  it('refuses a merge that is no longer in the target’s history', async () => {
    repo = makeRepo();
    const git = createGit(runProcess, repo.dir);
    const gone = repo.commit('merged, then rewritten away');
    repo.git(['reset', '-q', '--hard', 'HEAD~1']);
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    await expect(
      readTrackHistory({
        git,
        run: runProcess,
        trackId: 'slug',
        target: 'main',
        targetSha: head,
        mergedSha: gone,
        record: null,
      }),
    ).rejects.toThrow(/no longer in the history of main/);
  });
});
