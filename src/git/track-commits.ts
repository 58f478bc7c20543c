// Commits yardmaster makes in a track's worktree: always with the `Yardmaster-Track` trailer
// (and `Yardmaster-Task` when known), so revert still finds them after a squash.
import type { Git } from './git.js';
import { dirtyFiles } from './worktrees.js';

export function trailerArgs(trackId: string, taskId?: string): string[] {
  return [
    '--trailer',
    `Yardmaster-Track: ${trackId}`,
    ...(taskId ? ['--trailer', `Yardmaster-Task: ${taskId}`] : []),
  ];
}

/**
 * Commits everything left uncommitted in the worktree, except the agent's own scratch files
 * (e.g. aider's `.aider*`); returns false when there was nothing. `dirty` is what a `git status`
 * the caller just ran listed (checkoutStatus), to not ask again.
 */
export async function commitLeftovers(
  git: Git,
  worktree: string,
  trackId: string,
  message: string,
  scratch: readonly string[] = [],
  dirty?: readonly string[],
): Promise<boolean> {
  const prefixes = scratch.map((g) => g.replace(/\*+$/, ''));
  const left = (dirty ?? (await dirtyFiles(git, worktree))).filter(
    (f) => !prefixes.some((p) => f.startsWith(p)),
  );
  if (left.length === 0) return false;
  await git(['add', '--all', '--', '.', ...scratch.map((g) => `:(exclude,glob)${g}`)], {
    cwd: worktree,
  });
  await git(['commit', '--quiet', '--no-verify', '-m', message, ...trailerArgs(trackId)], {
    cwd: worktree,
  });
  return true;
}

export interface BranchWork {
  /** HEAD after the trailers were added; null when `from..HEAD` is empty. */
  head: string | null;
  /** Commits in `from..HEAD`. */
  commits: number;
}

/**
 * Gives every commit in `from..HEAD` the `Yardmaster-Track` trailer, rewriting those that lack
 * it (same trees, authors and dates; only the messages change), so revert can find an agent's
 * own commits too. The working tree is untouched: the trees are the same. One `git log` tells
 * the commits, their parents and trailers; only a rewrite asks for more.
 */
export async function addTrailers(
  git: Git,
  worktree: string,
  from: string,
  trackId: string,
): Promise<BranchWork> {
  const cwd = worktree;
  const entries = (
    await git(
      [
        'log',
        '--reverse',
        '--topo-order',
        '--format=%H %P%x1f%(trailers:key=Yardmaster-Track,valueonly,separator=%x1f)%x1e',
        `${from}..HEAD`,
      ],
      { cwd },
    )
  )
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r !== '')
    .map((r) => {
      const [shas = '', ...values] = r.split('\x1f');
      const [sha = '', ...parents] = shas.trim().split(' ');
      return { sha, parents, tagged: values.some((v) => v.trim() === trackId) };
    });
  if (entries.length === 0) return { head: null, commits: 0 };
  const oldHead = entries.at(-1)!.sha;
  if (entries.every((e) => e.tagged)) return { head: oldHead, commits: entries.length };
  const mapped = new Map<string, string>();
  for (const { sha, parents } of entries) {
    const meta = (
      await git(['log', '-1', '--format=%T%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI', sha], {
        cwd,
      })
    ).split('\0');
    const message = await git(['log', '-1', '--format=%B', sha], { cwd });
    const withTrailer = (
      await git(
        [
          'interpret-trailers',
          '--if-exists',
          'addIfDifferent',
          '--trailer',
          `Yardmaster-Track: ${trackId}`,
        ],
        { cwd, input: `${message}\n` },
      )
    ).trimEnd();
    const newParents = parents.map((p) => mapped.get(p) ?? p);
    if (withTrailer === message.trimEnd() && newParents.every((p, i) => p === parents[i])) {
      mapped.set(sha, sha);
      continue;
    }
    const env = {
      GIT_AUTHOR_NAME: meta[1],
      GIT_AUTHOR_EMAIL: meta[2],
      GIT_AUTHOR_DATE: meta[3],
      GIT_COMMITTER_NAME: meta[4],
      GIT_COMMITTER_EMAIL: meta[5],
      GIT_COMMITTER_DATE: meta[6],
    };
    const created = await git(['commit-tree', meta[0]!, ...newParents.flatMap((p) => ['-p', p])], {
      cwd,
      env,
      input: `${withTrailer}\n`,
    });
    mapped.set(sha, created);
  }
  const newHead = mapped.get(oldHead)!;
  if (newHead !== oldHead)
    await git(
      ['update-ref', '-m', 'yardmaster: add Yardmaster-Track trailers', 'HEAD', newHead, oldHead],
      { cwd },
    );
  return { head: newHead, commits: entries.length };
}
