// Commits yardmaster makes in a track's worktree: always with the `Yardmaster-Track` trailer
// (and `Yardmaster-Task` when known), so revert still finds them after a squash.
import type { Git } from '../git/git.js';
import { dirtyFiles } from '../git/worktrees.js';

export function trailerArgs(trackId: string, taskId?: string): string[] {
  return ['--trailer', `Yardmaster-Track: ${trackId}`, ...(taskId ? ['--trailer', `Yardmaster-Task: ${taskId}`] : [])];
}

/** Commits everything left uncommitted in the worktree; returns false when there was nothing. */
export async function commitLeftovers(git: Git, worktree: string, trackId: string, message: string): Promise<boolean> {
  if ((await dirtyFiles(git, worktree)).length === 0) return false;
  await git(['add', '--all'], { cwd: worktree });
  await git(['commit', '--quiet', '--no-verify', '-m', message, ...trailerArgs(trackId)], { cwd: worktree });
  return true;
}
