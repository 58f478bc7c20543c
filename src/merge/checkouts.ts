// The user's own checkouts that have the target branch checked out. Moving the target ref under
// them would make their files look like changes, so after landing they are fast-forwarded with
// a two-way merge that keeps their uncommitted work (`git read-tree -m -u old new`), and a
// checkout whose uncommitted changes touch the incoming files blocks the landing instead.
import type { Git } from '../git/git.js';
import { dirtyFiles, listWorktrees } from '../git/worktrees.js';

export interface CheckoutPlan {
  /** Checkouts to fast-forward after landing. */
  update: string[];
  /** A checkout whose uncommitted changes overlap the merge: path and the files. */
  blocked: { path: string; files: string[] } | null;
}

export async function planCheckouts(git: Git, target: string, oldSha: string, newSha: string): Promise<CheckoutPlan> {
  const on = (await listWorktrees(git)).filter((w) => w.branch === target && !w.prunable).map((w) => w.path);
  if (on.length === 0) return { update: [], blocked: null };
  const changed = new Set((await git(['diff', '--name-only', '-z', oldSha, newSha])).split('\0').filter(Boolean));
  for (const path of on) {
    const overlap = (await dirtyFiles(git, path)).filter((f) => changed.has(f));
    if (overlap.length) return { update: on, blocked: { path, files: overlap } };
  }
  return { update: on, blocked: null };
}

/** Brings the files of a checkout on the target from `oldSha` to `newSha`, keeping local changes. */
export async function fastForwardCheckout(git: Git, path: string, oldSha: string, newSha: string): Promise<boolean> {
  return git.ok(['read-tree', '-m', '-u', oldSha, newSha], { cwd: path });
}
