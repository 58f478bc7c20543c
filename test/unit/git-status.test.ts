// checkoutStatus: one `git status --porcelain=v2 --branch -z` for head, branch and dirtiness,
// optionally limited to the paths a merge changes.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createGit } from '../../src/git/git.js';
import { checkoutStatus, isAtOrUnder, parseStatusV2 } from '../../src/git/status.js';
import { runProcess } from '../../src/proc/run.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

describe('checkoutStatus', () => {
  it('parses renames, unmerged and untracked entries, and paths with spaces', () => {
    const sha = 'a'.repeat(40);
    const out = [
      `# branch.oid ${sha}`,
      '# branch.head (detached)',
      '1 .M N... 100644 100644 100644 1111 1111 dir/with space.txt',
      '2 R. N... 100644 100644 100644 2222 2222 R100 new name.txt',
      'old name.txt',
      'u UU N... 100644 100644 100644 100644 3333 4444 5555 both.txt',
      '? untracked/file.txt',
      '',
    ].join('\0');
    expect(parseStatusV2(out)).toEqual({
      head: sha,
      branch: null,
      dirty: [
        'dir/with space.txt',
        'new name.txt',
        'old name.txt',
        'both.txt',
        'untracked/file.txt',
      ],
      tracked: ['dir/with space.txt', 'new name.txt', 'old name.txt', 'both.txt'],
      untracked: ['untracked/file.txt'],
    });
  });

  it('reads head, branch and dirtiness of a real checkout, limited to the given paths', async () => {
    repo = makeRepo({ files: { 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    const git = createGit(runProcess, repo.dir);
    const head = repo.git(['rev-parse', 'HEAD']).trim();
    expect(await checkoutStatus(git, repo.dir)).toEqual({
      head,
      branch: 'main',
      dirty: [],
      tracked: [],
      untracked: [],
    });
    repo.write('a.txt', 'changed\n');
    repo.write('new/dir/c.txt', 'untracked\n');
    expect((await checkoutStatus(git, repo.dir)).dirty.sort()).toEqual(['a.txt', 'new/dir/c.txt']);
    expect((await checkoutStatus(git, repo.dir, ['b.txt'])).dirty).toEqual([]);
    expect((await checkoutStatus(git, repo.dir, ['a.txt', 'zzz'])).dirty).toEqual(['a.txt']);
    // A path the merge adds as a file, where the checkout has an untracked directory.
    expect((await checkoutStatus(git, repo.dir, ['new'])).dirty).toEqual(['new/dir/c.txt']);
    // No paths: nothing of interest, but head and branch are still read.
    expect(await checkoutStatus(git, repo.dir, [])).toEqual({
      head,
      branch: 'main',
      dirty: [],
      tracked: [],
      untracked: [],
    });
    execFileSync('git', ['switch', '-q', '--detach'], { cwd: repo.dir, env: repo.env });
    expect((await checkoutStatus(git, repo.dir, ['b.txt'])).branch).toBeNull();
  });

  it('tells whether a file is one of the paths or under one of them', () => {
    const paths = new Set(['a/b', 'c']);
    expect(['a/b', 'a/b/c', 'c/d/e', 'a/bc', 'a', 'x'].map((f) => isAtOrUnder(f, paths))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
