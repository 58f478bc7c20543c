// Refusals before a revert changes anything: the user's checkouts of the target must be clean
// (no changes to tracked files, no untracked file in the way of a file the revert brings back)
// and have no rebase, merge, cherry-pick or revert in progress; the same for the checkout the
// command runs in. Yardmaster's own worktrees (under worktrees.dir) are not the user's.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { listWorktrees, operationInProgress } from '../git/worktrees.js';
import type { RunEnv } from '../runtime/env.js';

export async function assertCheckoutsReady(env: RunEnv, files: readonly string[]): Promise<void> {
  const { git, config, repo } = env;
  const ours = path.resolve(env.worktreesDir) + path.sep;
  const here = [repo.root, repo.mainRoot]
    .filter((p): p is string => p !== null)
    .map((p) => path.resolve(p));
  for (const w of await listWorktrees(git)) {
    const at = path.resolve(w.path);
    if (w.prunable || at.startsWith(ours) || !existsSync(at)) continue;
    const onTarget = w.branch === config.target;
    const op = await operationInProgress(git, at);
    if (
      op &&
      op !== 'bisect' &&
      (onTarget || here.includes(at) || (await rebasing(git, at)) === config.target)
    ) {
      throw new UsageError(`A ${op} is in progress in ${at}; revert changes nothing while it is.`, {
        hint: `Finish it (git ${op} --continue) or abort it (git ${op} --abort), then run ym revert again.`,
      });
    }
    if (!onTarget) continue;
    const status = (
      await git(['status', '--porcelain', '-z', '--untracked-files=all'], { cwd: at })
    )
      .split('\0')
      .filter(Boolean);
    const wanted = new Set(files);
    const dirty = status
      .filter((l) => !l.startsWith('??') || wanted.has(l.slice(3)))
      .map((l) => l.slice(3));
    if (dirty.length > 0) {
      throw new UsageError(
        `${at} has ${config.target} checked out with uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', ...' : ''}); nothing was changed.`,
        { hint: 'Commit or stash them (git stash --include-untracked), then run ym revert again.' },
      );
    }
  }
}

/** The branch a rebase in progress is rebasing, if git says. */
async function rebasing(git: RunEnv['git'], cwd: string): Promise<string | null> {
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    const file = await git(
      ['rev-parse', '--path-format=absolute', '--git-path', `${dir}/head-name`],
      { cwd },
    );
    if (existsSync(file))
      return readFileSync(file, 'utf8')
        .trim()
        .replace(/^refs\/heads\//, '');
  }
  return null;
}
