// Conflict radar: `git merge-tree --write-tree` (no checkout, no index) between every pair of
// active track branches and each against the target, to predict conflicts before they happen.
import type { Git } from '../git/git.js';

export interface Prediction {
  a: string;
  b: string;
  /** Files that would conflict; empty means it merges cleanly. */
  paths: string[];
}

export async function predictConflict(git: Git, a: string, b: string): Promise<string[]> {
  const r = await git.ok(['merge-base', a, b]);
  if (!r) return [];
  const out = await gitMergeTree(git, a, b);
  return out;
}

async function gitMergeTree(git: Git, a: string, b: string): Promise<string[]> {
  // Exit 0: clean; exit 1: conflicts, listed after the tree id; anything else: an error.
  try {
    await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', a, b]);
    return [];
  } catch (err) {
    const stdout = (err as { result?: { stdout?: string; exitCode?: number | null } }).result;
    if (stdout?.exitCode === 1 && stdout.stdout) return stdout.stdout.split('\n').slice(1).filter(Boolean);
    throw err;
  }
}

/** Every pair among `branches` (named by track id) and each against the target. */
export async function conflictRadar(git: Git, target: string, branches: ReadonlyMap<string, string>): Promise<Prediction[]> {
  const out: Prediction[] = [];
  const ids = [...branches.keys()].sort();
  for (const id of ids) {
    const paths = await predictConflict(git, `refs/heads/${target}`, branches.get(id)!);
    if (paths.length) out.push({ a: target, b: id, paths });
  }
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const paths = await predictConflict(git, branches.get(ids[i]!)!, branches.get(ids[j]!)!);
      if (paths.length) out.push({ a: ids[i]!, b: ids[j]!, paths });
    }
  }
  return out;
}
