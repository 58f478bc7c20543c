// Builds the commit the queue will validate and land, in the track's worktree: the branch
// rebased onto the target, or a merge commit / squash commit on top of it. On conflict it
// aborts cleanly and names the conflicting paths.
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
}

// Never open an editor, never run the user's hooks inside the queue's own operations.
const QUIET = { env: { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true' } };

export async function buildCandidate(git: Git, input: CandidateInput): Promise<Candidate> {
  const { worktree: cwd, branch, targetSha } = input;
  // A merge killed half-way (kill -9) may have left its rebase or merge in progress.
  const op = await operationInProgress(git, cwd);
  if (op) await abortOperation(git, cwd, op);
  // Untracked files count too: the checks would run with them, and they would not land.
  const dirty = await dirtyFiles(git, cwd);
  if (dirty.length) return { kind: 'dirty', paths: dirty };
  if (input.strategy === 'rebase') {
    // Naming the branch switches to it first (a previous merge/squash attempt may have left
    // the worktree detached).
    try {
      await git(['rebase', '--quiet', '--no-autosquash', targetSha, branch], { cwd, ...QUIET });
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
  const branchHead = await git(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd });
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
      { cwd, ...QUIET },
    );
    if (!ok) return abortConflict(git, cwd, branch, ['merge', '--abort']);
    return { kind: 'ok', sha: await git(['rev-parse', 'HEAD'], { cwd }), commits, branchHead };
  }
  const ok = await git.ok(['merge', '--quiet', '--squash', branchHead], { cwd, ...QUIET });
  if (!ok) return abortConflict(git, cwd, branch, ['reset', '--quiet', '--hard', targetSha]);
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
    { cwd, ...QUIET },
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
  branch: string,
  abort: string[],
): Promise<Candidate> {
  const paths = await conflictedPaths(git, cwd);
  await git.ok(abort, { cwd });
  await git.ok(['switch', '--quiet', '--discard-changes', branch], { cwd });
  return { kind: 'conflict', paths };
}
