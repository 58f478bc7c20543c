// Builds the commit the queue will validate and land, in the track's worktree: the branch
// rebased onto the target, or a merge commit / squash commit on top of it. On conflict it
// aborts cleanly and names the conflicting paths. The same inputs build the same commit, in any
// worktree (the dates of the commits it writes come from the two commits it joins, not the
// clock): a candidate the speculative queue checked in a worktree of its own is, SHA for SHA,
// the one the queue lands.
import type { Git } from '../git/git.js';
import { abortOperation, dirtyFiles, operationInProgress } from '../git/worktrees.js';
import { trailerArgs } from '../git/track-commits.js';

export type Candidate =
  /** `branchHead`: the track branch as it went into `sha` (for rebase, `sha` itself). */
  | {
      kind: 'ok';
      sha: string;
      commits: number;
      branchHead: string;
      /** Where `sha` meets the target, when building it proved it (the target itself). */
      base?: string;
    }
  | { kind: 'conflict'; paths: string[] }
  | { kind: 'dirty'; paths: string[] };

export interface CandidateInput {
  worktree: string;
  branch: string;
  targetSha: string;
  strategy: 'rebase' | 'merge' | 'squash';
  trackId: string;
  title: string;
  /**
   * Build at a detached HEAD, leaving the branch where it is (a worktree of the queue's own,
   * the branch being checked out in the track's): the worktree is reset first, so it is never
   * dirty. The result is the same commit the branch's own worktree would build.
   */
  detached?: boolean;
  /** With `detached`: untracked paths the reset keeps (the files worktrees.copy put there). */
  keep?: readonly string[];
}

// Never open an editor, never run the user's hooks inside the queue's own operations.
const QUIET = { env: { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true' } };

export async function buildCandidate(git: Git, input: CandidateInput): Promise<Candidate> {
  const { worktree: cwd, branch, targetSha } = input;
  // A merge killed half-way (kill -9) may have left its rebase or merge in progress.
  const op = await operationInProgress(git, cwd);
  if (op) await abortOperation(git, cwd, op);
  if (input.detached) {
    // The queue's own worktree: whatever a killed check left is not anyone's work.
    await git(['reset', '--quiet', '--hard'], { cwd });
    await git(['clean', '--quiet', '-fd', ...(input.keep ?? []).flatMap((k) => ['-e', k])], {
      cwd,
    });
  }
  // Untracked files count too: the checks would run with them, and they would not land.
  const dirty = await dirtyFiles(git, cwd);
  if (dirty.length) return { kind: 'dirty', paths: dirty };
  const branchTip = await git(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd });
  const quiet = { env: { ...QUIET.env, ...(await stableDates(git, cwd, targetSha, branchTip)) } };
  if (input.strategy === 'rebase') {
    // Naming the branch switches to it first (a previous merge/squash attempt may have left
    // the worktree detached).
    try {
      if (input.detached) {
        await git(['switch', '--quiet', '--detach', branchTip], { cwd });
        await git(['rebase', '--quiet', '--no-autosquash', targetSha], { cwd, ...quiet });
      } else
        await git(['rebase', '--quiet', '--no-autosquash', targetSha, branch], { cwd, ...quiet });
    } catch (err) {
      // A rebase that never started (the branch is checked out elsewhere...) is no conflict.
      if ((await operationInProgress(git, cwd)) !== 'rebase') throw err;
      const paths = await conflictedPaths(git, cwd);
      await git.ok(['rebase', '--abort'], { cwd });
      return { kind: 'conflict', paths };
    }
    // The rebased commits, newest first (the first is HEAD), then the excluded parents they
    // grew from, marked `-`: the target among them proves the candidate contains it. No
    // commits means the branch added nothing the target lacks and was left at the target.
    const lines = (await git(['rev-list', '--boundary', `${targetSha}..HEAD`], { cwd }))
      .split('\n')
      .filter(Boolean);
    const own = lines.filter((l) => !l.startsWith('-'));
    const sha = own[0] ?? targetSha;
    const onTarget = own.length === 0 || lines.includes(`-${targetSha}`);
    return {
      kind: 'ok',
      sha,
      commits: own.length,
      branchHead: sha,
      ...(onTarget ? { base: targetSha } : {}),
    };
  }
  const branchHead = branchTip;
  const base = await git(['merge-base', targetSha, branchHead], { cwd });
  const commits = Number(await git(['rev-list', '--count', `${base}..${branchHead}`], { cwd }));
  await git(['switch', '--quiet', '--detach', targetSha], { cwd });
  if (input.strategy === 'merge') {
    const ok = await git.ok(
      [
        'merge',
        '--quiet',
        '--no-ff',
        '--no-verify',
        '-m',
        `Merge track ${input.trackId}: ${input.title}`,
        '-m',
        `Yardmaster-Track: ${input.trackId}`,
        branchHead,
      ],
      { cwd, ...quiet },
    );
    if (!ok) return abortConflict(git, cwd, input, ['merge', '--abort']);
    return { kind: 'ok', sha: await git(['rev-parse', 'HEAD'], { cwd }), commits, branchHead };
  }
  const ok = await git.ok(['merge', '--quiet', '--squash', branchHead], { cwd, ...quiet });
  if (!ok) return abortConflict(git, cwd, input, ['reset', '--quiet', '--hard', targetSha]);
  // The squash keeps every Yardmaster-Task trailer of the squashed commits, so revert still works.
  const tasks = (
    await git(
      ['log', '--format=%(trailers:key=Yardmaster-Task,valueonly)', `${base}..${branchHead}`],
      { cwd },
    )
  )
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const subjects = await git(['log', '--reverse', '--format=- %s', `${base}..${branchHead}`], {
    cwd,
  });
  const taskTrailers = [...new Set(tasks)].flatMap((t) => ['--trailer', `Yardmaster-Task: ${t}`]);
  await git(
    [
      'commit',
      '--quiet',
      '--no-verify',
      '--allow-empty',
      '-m',
      `${input.title} (${input.trackId})`,
      '-m',
      subjects,
      ...trailerArgs(input.trackId),
      ...taskTrailers,
    ],
    { cwd, ...quiet },
  );
  return { kind: 'ok', sha: await git(['rev-parse', 'HEAD'], { cwd }), commits, branchHead };
}

async function conflictedPaths(git: Git, cwd: string): Promise<string[]> {
  const out = await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd });
  return out.split('\0').filter(Boolean);
}

async function abortConflict(
  git: Git,
  cwd: string,
  input: CandidateInput,
  abort: string[],
): Promise<Candidate> {
  const paths = await conflictedPaths(git, cwd);
  await git.ok(abort, { cwd });
  if (!input.detached)
    await git.ok(['switch', '--quiet', '--discard-changes', input.branch], { cwd });
  return { kind: 'conflict', paths };
}

/**
 * The dates of the commits a build writes: the later of the two commits it joins. Not the
 * clock's: building the same candidate twice (in the queue's worktree, then in the track's)
 * must give the same SHA.
 */
async function stableDates(
  git: Git,
  cwd: string,
  targetSha: string,
  branchHead: string,
): Promise<Record<string, string>> {
  const times = (await git(['show', '--no-patch', '--format=%ct', targetSha, branchHead], { cwd }))
    .split('\n')
    .map(Number)
    .filter(Number.isFinite);
  const date = `@${Math.max(0, ...times)} +0000`;
  return { GIT_COMMITTER_DATE: date, GIT_AUTHOR_DATE: date };
}
