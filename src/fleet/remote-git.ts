// The shared remote is the fleet's truth for code: a worker fetches it before every job, makes
// its local target and the track's branch (and worktree, if it has one) exactly what the remote
// holds, and pushes the branch back after the attempt. The clone is the worker's own: what it
// holds locally and never pushed is not kept when the remote says otherwise.
import path from 'node:path';
import { UsageError, WorkFailedError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import { listWorktrees } from '../git/worktrees.js';

export async function assertRemote(git: Git, remote: string, root: string): Promise<void> {
  if (await git.ok(['remote', 'get-url', remote])) return;
  throw new UsageError(
    `This clone (${root}) has no git remote "${remote}": a fleet's workers share their track branches through it.`,
    {
      hint: `Add it (git remote add ${remote} <url of the shared repository>), or set engine.remote in yardmaster.json to the remote every worker has.`,
    },
  );
}

/** Every branch of the remote, as refs/remotes/<remote>/*, pruned. */
export async function fetchRemote(git: Git, remote: string): Promise<void> {
  await git([
    'fetch',
    '--quiet',
    '--prune',
    '--no-tags',
    remote,
    `+refs/heads/*:refs/remotes/${remote}/*`,
  ]);
}

export async function remoteBranchSha(
  git: Git,
  remote: string,
  branch: string,
): Promise<string | null> {
  const ref = `refs/remotes/${remote}/${branch}`;
  if (!(await git.ok(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))) return null;
  return git(['rev-parse', `${ref}^{commit}`]);
}

/** The local target fast-forwarded to the remote's (its checkout too, when HEAD is on it). */
export async function syncLocalTarget(git: Git, remote: string, target: string): Promise<string> {
  const sha = await remoteBranchSha(git, remote, target);
  if (!sha)
    throw new WorkFailedError(`The remote ${remote} has no branch ${target} to work from.`, {
      hint: `Push ${target} to ${remote} first.`,
    });
  const ref = `refs/heads/${target}`;
  const local = (await git.ok(['rev-parse', '--verify', '--quiet', ref]))
    ? await git(['rev-parse', ref])
    : null;
  if (local === sha) return sha;
  if (local && !(await git.ok(['merge-base', '--is-ancestor', local, sha])))
    throw new WorkFailedError(
      `The local ${target} (${local.slice(0, 12)}) has commits ${remote}/${target} does not: a worker's clone must not commit to the target.`,
      {
        hint: `Reset it: git branch -f ${target} ${remote}/${target} (or check it out and reset).`,
      },
    );
  const head = await git(['symbolic-ref', '--quiet', 'HEAD']).catch(() => '');
  if (head === ref) await git(['merge', '--ff-only', '--quiet', sha]);
  else await git(['update-ref', ref, sha, ...(local ? [local] : [])]);
  return sha;
}

/**
 * The track's branch made what the remote holds: its worktree (if any) reset to it, or the
 * local branch moved. Without a remote branch, a local branch and worktree left by an attempt
 * that never pushed are removed, so the attempt starts from the target as on any machine.
 * Returns the remote's head of the branch (null: none), the lease for the push after.
 */
export async function alignTrackBranch(
  git: Git,
  remote: string,
  branch: string,
): Promise<string | null> {
  const sha = await remoteBranchSha(git, remote, branch);
  const ref = `refs/heads/${branch}`;
  const worktree = (await listWorktrees(git)).find((w) => w.branch === branch && !w.prunable);
  const local = (await git.ok(['rev-parse', '--verify', '--quiet', ref]))
    ? await git(['rev-parse', ref])
    : null;
  if (sha) {
    if (worktree) {
      const wt = path.resolve(worktree.path);
      await git(['reset', '--hard', '--quiet', sha], { cwd: wt });
      await git(['clean', '-fdq'], { cwd: wt });
    } else if (local !== sha) await git(['update-ref', ref, sha]);
    return sha;
  }
  if (worktree) await git(['worktree', 'remove', '--force', path.resolve(worktree.path)]);
  if (local) await git(['branch', '-D', '--quiet', branch]);
  return null;
}

/** Pushes the branch; the lease is the remote head it started from (null: it must not exist). */
export async function pushTrackBranch(
  git: Git,
  remote: string,
  branch: string,
  lease: string | null,
): Promise<void> {
  const ref = `refs/heads/${branch}`;
  await git([
    'push',
    '--quiet',
    `--force-with-lease=${ref}:${lease ?? ''}`,
    remote,
    `${ref}:${ref}`,
  ]);
}
