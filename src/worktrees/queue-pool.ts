// The speculative queue's worktrees: a small pool (`.queue-1`, `.queue-2`, ... beside the track
// worktrees; a dot name no track id can take), one per candidate in the window. Made once
// (detached, with worktrees.copy and worktrees.setup as for a track), then reused: the queue
// resets one before every build, so what a killed check left behind is gone. Nobody's work
// lives in them; only the process holding the merge lock uses them.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { listWorktrees } from '../git/worktrees.js';
import type { RunEnv } from '../runtime/env.js';
import { copyConfiguredFiles, withRepoLock } from './provision.js';
import { runSetupCommands } from './setup-commands.js';

export const QUEUE_WORKTREE_PREFIX = '.queue-';

export function queueWorktreePath(env: RunEnv, slot: number): string {
  return path.join(env.worktreesDir, `${QUEUE_WORKTREE_PREFIX}${slot}`);
}

/** Whether `p` is one of the queue's own worktrees (doctor and clean leave them alone). */
export function isQueueWorktree(env: RunEnv, p: string): boolean {
  const rel = path.relative(env.worktreesDir, p);
  return !rel.includes(path.sep) && rel.startsWith(QUEUE_WORKTREE_PREFIX);
}

/** The pool's worktree for `slot`, made at `at` the first time (an existing one is reused as it is). */
export async function queueWorktree(env: RunEnv, slot: number, at: string): Promise<string> {
  const wt = queueWorktreePath(env, slot);
  const known = (await listWorktrees(env.git)).some(
    (w) => path.resolve(w.path) === path.resolve(wt) && !w.prunable,
  );
  if (known && existsSync(wt)) {
    removeStaleLocks(wt);
    return wt;
  }
  await withRepoLock(env, async () => {
    await env.git.ok(['worktree', 'prune']);
    // A directory git does not know under our dot name is a half-made pool worktree of ours.
    if (existsSync(wt)) rmSync(wt, { recursive: true, force: true });
    mkdirSync(env.worktreesDir, { recursive: true });
    await env.git(['worktree', 'add', '--quiet', '--detach', wt, at]);
  });
  copyConfiguredFiles(env, wt);
  await runSetupCommands(env, wt);
  return wt;
}

/** The paths `git clean` must keep in a pool worktree: the files worktrees.copy put there. */
export function keptPaths(env: RunEnv): string[] {
  return env.config.worktrees.copy;
}

/**
 * A pool worktree's own lock files (index.lock, HEAD.lock...): a git the killed merge was
 * running there left them. Only the merge lock's holder uses the pool, so nobody holds them.
 */
function removeStaleLocks(wt: string): void {
  try {
    const pointer = readFileSync(path.join(wt, '.git'), 'utf8').match(/^gitdir: (.+)$/m)?.[1];
    if (!pointer) return;
    const gitDir = path.resolve(wt, pointer.trim());
    for (const name of readdirSync(gitDir))
      if (name.endsWith('.lock')) rmSync(path.join(gitDir, name), { force: true });
  } catch {
    // Not a linked worktree's layout: nothing of ours to remove.
  }
}
