// Commits yardmaster makes in a track's worktree: always with the `Yardmaster-Track` trailer
// (and `Yardmaster-Task` when known), so revert still finds them after a squash.
import type { Git } from '../git/git.js';
import { dirtyFiles } from '../git/worktrees.js';

export function trailerArgs(trackId: string, taskId?: string): string[] {
  return ['--trailer', `Yardmaster-Track: ${trackId}`, ...(taskId ? ['--trailer', `Yardmaster-Task: ${taskId}`] : [])];
}

/**
 * Commits everything left uncommitted in the worktree, except the agent's own scratch files
 * (e.g. aider's `.aider*`); returns false when there was nothing.
 */
export async function commitLeftovers(
  git: Git,
  worktree: string,
  trackId: string,
  message: string,
  scratch: readonly string[] = [],
): Promise<boolean> {
  const prefixes = scratch.map((g) => g.replace(/\*+$/, ''));
  const dirty = (await dirtyFiles(git, worktree)).filter((f) => !prefixes.some((p) => f.startsWith(p)));
  if (dirty.length === 0) return false;
  await git(['add', '--all', '--', '.', ...scratch.map((g) => `:(exclude,glob)${g}`)], { cwd: worktree });
  await git(['commit', '--quiet', '--no-verify', '-m', message, ...trailerArgs(trackId)], { cwd: worktree });
  return true;
}

/**
 * Gives every commit in `from..HEAD` the `Yardmaster-Track` trailer, rewriting those that lack
 * it (same trees, authors and dates; only the messages change), so revert can find an agent's
 * own commits too. The working tree is untouched: the trees are the same.
 */
export async function addTrailers(git: Git, worktree: string, from: string, trackId: string): Promise<number> {
  const cwd = worktree;
  const lines = (await git(['rev-list', '--reverse', '--topo-order', '--parents', `${from}..HEAD`], { cwd })).split('\n').filter(Boolean);
  if (lines.length === 0) return 0;
  const missing = (await git(['log', '--format=%H %(trailers:key=Yardmaster-Track,valueonly,separator=%x2C)', `${from}..HEAD`], { cwd }))
    .split('\n')
    .filter((l) => l.trim().split(' ').length < 2 || !l.includes(trackId));
  if (missing.length === 0) return 0;
  const mapped = new Map<string, string>();
  let rewritten = 0;
  for (const line of lines) {
    const [sha, ...parents] = line.split(' ');
    const meta = (await git(['log', '-1', '--format=%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI', sha!], { cwd })).split('\0');
    const message = await git(['log', '-1', '--format=%B', sha!], { cwd });
    const withTrailer = (
      await git(['interpret-trailers', '--if-exists', 'addIfDifferent', '--trailer', `Yardmaster-Track: ${trackId}`], { cwd, input: `${message}\n` })
    ).trimEnd();
    const newParents = parents.map((p) => mapped.get(p) ?? p);
    if (withTrailer === message.trimEnd() && newParents.every((p, i) => p === parents[i])) {
      mapped.set(sha!, sha!);
      continue;
    }
    const env = {
      GIT_AUTHOR_NAME: meta[1], GIT_AUTHOR_EMAIL: meta[2], GIT_AUTHOR_DATE: meta[3],
      GIT_COMMITTER_NAME: meta[4], GIT_COMMITTER_EMAIL: meta[5], GIT_COMMITTER_DATE: meta[6],
    };
    const created = await git(['commit-tree', meta[0]!, ...newParents.flatMap((p) => ['-p', p])], { cwd, env, input: `${withTrailer}\n` });
    mapped.set(sha!, created);
    rewritten += 1;
  }
  const oldHead = lines.at(-1)!.split(' ')[0]!;
  const newHead = mapped.get(oldHead)!;
  if (newHead !== oldHead) await git(['update-ref', '-m', 'yardmaster: add Yardmaster-Track trailers', 'HEAD', newHead, oldHead], { cwd });
  return rewritten;
}
