// The files of a fresh worktree. `git worktree add --no-checkout` registers it under the
// repository-wide worktree lock (git's racy part); its files are checked out here, after the
// lock, so tracks check out in parallel. What `git worktree add` would have done, done the same
// way: the index and the files (submodules not recursed), then the repository's post-checkout
// hook with the arguments `worktree add` gives it (null id, the new HEAD, 1).
//
// Only a worktree that never had an index is checked out, and only when nothing but git's own
// files can be in it: nothing besides `.git`, or what a checkout of ours started and never
// finished (killed half-way, or its hook failed) left behind. A worktree with an index (checked
// out, recycled, or holding an agent's work) is never touched.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { WorkFailedError } from '../core/errors.js';
import { gitDirOf, headOf } from '../git/files.js';
import { revParse } from '../git/worktrees.js';
import type { RunEnv } from '../runtime/env.js';

const CHECKING_OUT = 'worktree.checking-out';

/** Whether the worktree still needs its files: it never had an index. */
export function needsCheckout(worktree: string): boolean {
  const gitDir = gitDirOf(worktree);
  return gitDir !== null && !existsSync(path.join(gitDir, 'index'));
}

export async function checkoutFiles(env: RunEnv, trackId: string, worktree: string): Promise<void> {
  const opts = { cwd: worktree };
  // Asked of git when the `.git` file cannot be read: never assumed checked out.
  const gitDir = gitDirOf(worktree) ?? (await env.git(['rev-parse', '--absolute-git-dir'], opts));
  const index = path.join(gitDir, 'index');
  if (existsSync(index)) return;
  const others = readdirSync(worktree).filter((name) => name !== '.git');
  if (others.length > 0 && !unfinishedCheckout(env, trackId, worktree)) {
    throw new WorkFailedError(
      `${worktree} holds files but was never checked out (no index); not touching it.`,
      {
        hint: 'Move the files you want to keep out of it, then remove it (git worktree remove --force) and run implement again.',
      },
    );
  }
  // (A checkout killed half-way also left git's index.lock: recovery removed it with the other
  // locks of the dead run's worktree, src/engine/recover.ts.)
  env.store.appendEvent({ trackId, type: CHECKING_OUT, data: { path: worktree } });
  await env.git(
    ['-c', 'core.hooksPath=/dev/null', 'checkout', '--force', '--no-recurse-submodules', '--quiet'],
    opts,
  );
  const head = headOf(worktree) ?? (await revParse(env.git, 'HEAD', worktree));
  try {
    await env.git(
      [
        'hook',
        'run',
        '--ignore-missing',
        'post-checkout',
        '--',
        '0'.repeat(head.length),
        head,
        '1',
      ],
      opts,
    );
  } catch (err) {
    // Without its index the worktree counts as never checked out: the next run checks it out
    // and runs the hook again, as a failed `worktree add` would be tried again.
    rmSync(index, { force: true });
    throw new WorkFailedError(
      `The repository's post-checkout hook failed in ${worktree}: ${(err as Error).message}`,
    );
  }
}

/** The track's last event of one of these types (its latest step of a worktree's making). */
export function lastStep(env: RunEnv, trackId: string, types: readonly string[]) {
  return env.store.listEvents({ trackId }).findLast((e) => types.includes(e.type));
}

/** The track's last worktree step is a checkout of this worktree that never finished. */
function unfinishedCheckout(env: RunEnv, trackId: string, worktree: string): boolean {
  const last = lastStep(env, trackId, [
    'worktree.creating',
    'worktree.recycling',
    CHECKING_OUT,
    'worktree.prepared',
  ]);
  return last?.type === CHECKING_OUT && (last.data as { path?: string } | null)?.path === worktree;
}
