// Conflict radar: `git merge-tree --write-tree` (no checkout, no index) between every pair of
// active track branches and each against the target, to predict conflicts before they happen.
// Pairs grow quadratically, so the radar asks git as little as it can: the refs are resolved in
// one call, a branch still at the target's commit (nothing of its own yet) cannot conflict with
// anything the target does not, two branches at one commit cannot conflict with each other, and
// a pair's answer depends only on its two commits, so it is remembered for the process's life
// (the live view rebuilds often; most of its pairs have not moved).
import type { Git } from '../git/git.js';

export interface Prediction {
  a: string;
  b: string;
  /** Files that would conflict; empty means it merges cleanly. */
  paths: string[];
}

/** Answers by commit pair; bounded, oldest out first. */
const remembered = new Map<string, string[]>();
const REMEMBER_AT_MOST = 2000;

/** The files a merge of commits `a` and `b` would conflict in; [] when clean or unrelated. */
export async function predictConflict(git: Git, a: string, b: string): Promise<string[]> {
  const key = a < b ? `${a} ${b}` : `${b} ${a}`;
  const known = remembered.get(key);
  if (known) return known;
  const paths = await gitMergeTree(git, a, b);
  if (remembered.size >= REMEMBER_AT_MOST) remembered.delete(remembered.keys().next().value!);
  remembered.set(key, paths);
  return paths;
}

async function gitMergeTree(git: Git, a: string, b: string): Promise<string[]> {
  // Exit 0: clean; exit 1: conflicts, listed after the tree id; histories without a common
  // commit cannot be predicted (nothing to report); anything else is an error.
  try {
    await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', a, b]);
    return [];
  } catch (err) {
    const result = (
      err as { result?: { stdout?: string; stderr?: string; exitCode?: number | null } }
    ).result;
    if (result?.exitCode === 1 && result.stdout)
      return result.stdout.split('\n').slice(1).filter(Boolean);
    if (result?.stderr?.includes('unrelated histories')) return [];
    throw err;
  }
}

/** Every pair among `branches` (refs, named by track id) and each against the target. */
export async function conflictRadar(
  git: Git,
  target: string,
  branches: ReadonlyMap<string, string>,
): Promise<Prediction[]> {
  const ids = [...branches.keys()].sort();
  if (ids.length === 0) return [];
  // Every name is a full ref (refs/heads/...), never an option.
  const shas = (
    await git(['rev-parse', `refs/heads/${target}`, ...ids.map((id) => branches.get(id)!)])
  ).split('\n');
  const targetSha = shas[0]!;
  const shaOf = new Map(ids.map((id, i) => [id, shas[i + 1]!]));
  // A branch at the target's commit has no change of its own: it conflicts with nothing.
  const moved = ids.filter((id) => shaOf.get(id) !== targetSha);
  const out: Prediction[] = [];
  for (const id of moved) {
    const paths = await predictConflict(git, targetSha, shaOf.get(id)!);
    if (paths.length) out.push({ a: target, b: id, paths });
  }
  for (let i = 0; i < moved.length; i++) {
    for (let j = i + 1; j < moved.length; j++) {
      const [a, b] = [shaOf.get(moved[i]!)!, shaOf.get(moved[j]!)!];
      if (a === b) continue;
      const paths = await predictConflict(git, a, b);
      if (paths.length) out.push({ a: moved[i]!, b: moved[j]!, paths });
    }
  }
  return out;
}
