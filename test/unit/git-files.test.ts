// What implement reads from git's files instead of starting git (src/git/files.ts), and the one
// `git status` that tells head, branch and dirtiness: each answer compared with git's own, and
// null (ask git) wherever the files cannot tell for sure.
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGit } from '../../src/git/git.js';
import {
  gitDirOf,
  headOf,
  localBranchExists,
  maybeRegisteredElsewhere,
} from '../../src/git/files.js';
import { dirtyFiles, operationInProgress } from '../../src/git/worktrees.js';
import { checkoutStatus } from '../../src/git/status.js';
import { runProcess, type ProcessRunner } from '../../src/proc/run.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repo: TestRepo;
afterEach(() => repo?.cleanup());

function gitFor(r: TestRepo) {
  const run: ProcessRunner = (file, args, opts = {}) =>
    runProcess(file, args, { ...opts, env: { ...r.env, ...opts.env } });
  return createGit(run, r.dir);
}

describe('reading git files', () => {
  it('finds the git dir and HEAD of a main checkout and a linked worktree, as git does', () => {
    repo = makeRepo();
    const wt = path.join(repo.root, 'wt');
    repo.git(['worktree', 'add', '-q', '-b', 'ym/a', wt, 'main']);
    expect(gitDirOf(repo.dir)).toBe(path.join(repo.dir, '.git'));
    expect(gitDirOf(wt)).toBe(
      repo.git(['rev-parse', '--path-format=absolute', '--git-dir'], wt).trim(),
    );
    expect(headOf(repo.dir)).toBe(repo.git(['rev-parse', 'HEAD']).trim());
    repo.write('../wt/x.txt', 'x\n');
    repo.git(['add', '-A'], wt);
    repo.git(['commit', '-q', '-m', 'x'], wt);
    expect(headOf(wt)).toBe(repo.git(['rev-parse', 'HEAD'], wt).trim());
    repo.git(['switch', '-q', '--detach', 'main'], wt);
    expect(headOf(wt)).toBe(repo.git(['rev-parse', 'main']).trim());
    // Not a checkout: nothing to read.
    expect(gitDirOf(repo.root)).toBeNull();
    expect(headOf(repo.root)).toBeNull();
  });

  it('says null, not a guess, when the branch is only in packed-refs', () => {
    repo = makeRepo();
    repo.git(['pack-refs', '--all']);
    expect(headOf(repo.dir)).toBeNull();
  });

  it('tells whether a local branch exists, loose or packed', () => {
    repo = makeRepo();
    const common = path.join(repo.dir, '.git');
    repo.git(['branch', 'ym/loose']);
    expect(localBranchExists(common, 'ym/loose')).toBe(true);
    expect(localBranchExists(common, 'ym/missing')).toBe(false);
    expect(localBranchExists(common, 'main/below-a-branch')).toBe(false);
    repo.git(['pack-refs', '--all']);
    expect(localBranchExists(common, 'ym/loose')).toBe(true);
    expect(localBranchExists(common, 'ym/loos')).toBe(false);
    expect(localBranchExists(common, 'loose')).toBe(false);
  });

  it('sees a worktree registered at a path, and any registration whose directory is gone', () => {
    repo = makeRepo();
    const common = path.join(repo.dir, '.git');
    const a = path.join(repo.root, 'a');
    const b = path.join(repo.root, 'b');
    expect(maybeRegisteredElsewhere(common, a)).toBe(false);
    repo.git(['worktree', 'add', '-q', '--detach', a]);
    expect(maybeRegisteredElsewhere(common, b)).toBe(false);
    expect(maybeRegisteredElsewhere(common, a)).toBe(true);
    // Deleted behind git's back: prunable, so not "unknown to git" for any path.
    renameSync(a, path.join(repo.root, 'gone'));
    expect(maybeRegisteredElsewhere(common, b)).toBe(true);
    rmSync(path.join(repo.root, 'gone'), { recursive: true });
    repo.git(['worktree', 'prune']);
    expect(maybeRegisteredElsewhere(common, b)).toBe(false);
  });
});

describe('checkoutStatus', () => {
  it('gives head, branch and every uncommitted path like git status --untracked-files=all', async () => {
    repo = makeRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n', 'c d.txt': 'c\n' } });
    const git = gitFor(repo);
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    expect(await checkoutStatus(git, repo.dir)).toEqual({
      head,
      branch: 'main',
      dirty: [],
      tracked: [],
      untracked: [],
    });
    repo.write('a.txt', 'changed\n');
    repo.write('new dir/deep/n.txt', 'n\n');
    repo.write('c d.txt', 'changed\n');
    repo.git(['mv', 'b.txt', 'moved b.txt']);
    const status = await checkoutStatus(git, repo.dir);
    // Both names of a staged rename; dirtyFiles lists the new one only.
    expect(status.dirty.sort()).toEqual([
      'a.txt',
      'b.txt',
      'c d.txt',
      'moved b.txt',
      'new dir/deep/n.txt',
    ]);
    expect(status.dirty.filter((f) => f !== 'b.txt').sort()).toEqual(
      (await dirtyFiles(git, repo.dir)).sort(),
    );
    // `normal` names the new directory, not its files: enough to see it is dirty.
    expect(await dirtyFiles(git, repo.dir, 'normal')).toContain('new dir/');
    repo.git(['commit', '-q', '-am', 'wip']);
    repo.git(['switch', '-q', '--detach', 'HEAD~1']);
    expect((await checkoutStatus(git, repo.dir)).branch).toBeNull();
    expect((await checkoutStatus(git, repo.dir)).head).toBe(head);
  });

  it('finds a rebase left in progress from the files of a linked worktree', async () => {
    repo = makeRepo({ files: { 'f.txt': 'base\n' } });
    const git = gitFor(repo);
    const wt = path.join(repo.root, 'wt');
    repo.git(['worktree', 'add', '-q', '-b', 'side', wt, 'main']);
    repo.write('f.txt', 'main\n');
    repo.commit('main');
    repo.write('../wt/f.txt', 'side\n');
    repo.git(['commit', '-q', '-am', 'side'], wt);
    expect(await operationInProgress(git, wt)).toBeNull();
    expect(() => repo.git(['rebase', 'main'], wt)).toThrow();
    expect(await operationInProgress(git, wt)).toBe('rebase');
    expect(await operationInProgress(git, repo.dir)).toBeNull();
  });
});
