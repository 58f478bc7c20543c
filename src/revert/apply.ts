// Makes the revert commits in a temporary worktree detached at the target, never in the user's
// checkout: `git revert --no-commit` newest first, the track's docs put back as they were (their
// markers are reset by a commit of their own, so plan.md never conflicts), each commit carrying
// `Yardmaster-Track` and `Yardmaster-Revert`. A conflict stops with the job saved and git's
// MERGE_MSG already holding the right message, for `ym revert --continue` (or `git commit`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, WorkFailedError } from '../core/errors.js';
import { allTasks, parsePlan, setTaskMarker } from '../core/plan-md.js';
import type { Git } from '../git/git.js';
import { listWorktrees } from '../git/worktrees.js';
import type { RunEnv } from '../runtime/env.js';
import { docsPaths, REVERT_TRAILER } from './history.js';
import type { RevertJob } from './job.js';
import type { RevertTarget } from './select.js';

const QUIET = { env: { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true' } };

export function revertWorktreePath(env: RunEnv, trackId: string): string {
  // A dot name: no track id can take it.
  return path.join(env.worktreesDir, `.revert-${trackId}`);
}

export async function createRevertWorktree(
  env: RunEnv,
  trackId: string,
  base: string,
): Promise<string> {
  const wt = revertWorktreePath(env, trackId);
  if (existsSync(wt)) {
    throw new UsageError(`${wt} exists: an earlier revert of ${trackId} was left there.`, {
      hint: `Finish it with \`ym revert ${trackId} --continue\`, or drop it with \`ym revert ${trackId} --abort\`.`,
    });
  }
  mkdirSync(env.worktreesDir, { recursive: true });
  await env.git(['worktree', 'add', '--quiet', '--detach', wt, base]);
  return wt;
}

/** Removes the temporary worktree (ours, whatever is in it); false when git does not know it. */
export async function removeRevertWorktree(env: RunEnv, wt: string): Promise<boolean> {
  const known = (await listWorktrees(env.git)).some(
    (w) => path.resolve(w.path) === path.resolve(wt),
  );
  if (known) await env.git(['worktree', 'remove', '--force', wt]);
  await env.git.ok(['worktree', 'prune']);
  return known;
}

export type StepResult =
  { kind: 'done' } | { kind: 'conflict'; target: RevertTarget; paths: string[] };

/** Reverts every pending commit, saving the job after each; stops at the first conflict. */
export async function revertPending(
  env: RunEnv,
  job: RevertJob,
  save: () => void,
): Promise<StepResult> {
  const { git } = env;
  const cwd = job.worktree;
  for (let target = job.pending[0]; target; target = job.pending[0]) {
    const headBefore = await git(['rev-parse', 'HEAD'], { cwd });
    const args = [
      'revert',
      '--no-commit',
      ...(target.mainline ? ['-m', String(target.mainline)] : []),
      target.sha,
    ];
    const r = await env.ctx.run('git', args, { cwd, reject: false, ...QUIET });
    await restoreDocs(git, cwd, job.trackId);
    const paths = await conflictedPaths(git, cwd);
    if (paths.length > 0) {
      await git(['rev-parse', '--git-path', 'MERGE_MSG'], { cwd }).then((file) =>
        writeFileSync(path.resolve(cwd, file), revertMessage(job.trackId, target)),
      );
      job.pending.shift();
      job.stopped = { target, headBefore, paths };
      save();
      return { kind: 'conflict', target, paths };
    }
    if (r.exitCode !== 0 && !(await revertInProgress(git, cwd))) {
      throw new WorkFailedError(
        `git revert ${target.sha.slice(0, 12)} failed in ${cwd}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    const commit = await commitStaged(git, cwd, job.trackId, target);
    job.pending.shift();
    job.done.push({ reverted: target.sha, commit });
    save();
  }
  return { kind: 'done' };
}

/** `--continue`: takes the conflict the user resolved (committed by them, or staged) as done. */
export async function resumeStopped(env: RunEnv, job: RevertJob, save: () => void): Promise<void> {
  const stopped = job.stopped;
  if (!stopped) return;
  const { git } = env;
  const cwd = job.worktree;
  const spec = job.spec;
  if (!existsSync(cwd)) {
    throw new UsageError(`The revert worktree ${cwd} is gone.`, {
      hint: `Drop the stopped revert with \`ym revert ${spec} --abort\` and start again.`,
    });
  }
  const paths = await conflictedPaths(git, cwd);
  if (paths.length > 0) {
    throw new UsageError(`${cwd} still has unresolved conflicts: ${paths.join(', ')}.`, {
      hint: `Resolve them, \`git -C ${cwd} add ${paths.join(' ')}\`, then run \`ym revert ${spec} --continue\`.`,
    });
  }
  const head = await git(['rev-parse', 'HEAD'], { cwd });
  let commit: string | null;
  if (head !== stopped.headBefore) {
    // Committed by the user (`git commit` or `git revert --continue` use our MERGE_MSG).
    commit = await ensureTrailers(git, cwd, job.trackId, stopped.target.sha);
  } else if (
    !(await revertInProgress(git, cwd)) &&
    (await git.ok(['diff', '--cached', '--quiet'], { cwd }))
  ) {
    throw new UsageError(
      `The revert of ${stopped.target.sha.slice(0, 12)} was dropped in ${cwd} (no revert in progress, nothing staged).`,
      {
        hint: `Give up with \`ym revert ${spec} --abort\`, or run it again from the start.`,
      },
    );
  } else {
    commit = await commitStaged(git, cwd, job.trackId, stopped.target);
  }
  job.done.push({ reverted: stopped.target.sha, commit });
  job.stopped = null;
  save();
}

/** Resets the markers of the undone tasks (`[x]` -> `[ ]`) in one commit; null when none changed. */
export async function resetMarkers(env: RunEnv, job: RevertJob): Promise<string | null> {
  if (!job.planPath || job.resetTasks.length === 0) return null;
  const cwd = job.worktree;
  const file = path.join(cwd, job.planPath);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const done = new Set(
    allTasks(parsePlan(text, job.planPath))
      .filter((t) => t.marker === 'done')
      .map((t) => t.id),
  );
  const ids = job.resetTasks.filter((id) => done.has(id));
  if (ids.length === 0) return null;
  writeFileSync(
    file,
    ids.reduce((t, id) => setTaskMarker(t, id, 'pending'), text),
  );
  await env.git(['add', '--', job.planPath], { cwd });
  await env.git(
    [
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      `chore(yardmaster): reset the plan markers of ${job.spec}`,
      '-m',
      `Pending again, their commits reverted: ${ids.join(', ')}.`,
      '--trailer',
      `Yardmaster-Track: ${job.trackId}`,
    ],
    { cwd, ...QUIET },
  );
  return env.git(['rev-parse', 'HEAD'], { cwd });
}

export function revertMessage(trackId: string, target: RevertTarget): string {
  const what =
    target.whole === 'merge'
      ? 'merge commit'
      : target.whole === 'squash'
        ? 'squash commit'
        : 'commit';
  return `Revert "${target.subject}"\n\nThis reverts ${what} ${target.sha}.\n\nYardmaster-Track: ${trackId}\n${REVERT_TRAILER}: ${target.sha}\n`;
}

async function commitStaged(
  git: Git,
  cwd: string,
  trackId: string,
  target: RevertTarget,
): Promise<string | null> {
  if (await git.ok(['diff', '--cached', '--quiet'], { cwd })) {
    // Only the track's docs changed, and they were put back: nothing to commit.
    await git.ok(['revert', '--quit'], { cwd });
    return null;
  }
  await git(['commit', '--quiet', '--no-verify', '-F', '-'], {
    cwd,
    input: revertMessage(trackId, target),
    ...QUIET,
  });
  return git(['rev-parse', 'HEAD'], { cwd });
}

/** The user may have written their own message: add the trailers it lacks. */
async function ensureTrailers(
  git: Git,
  cwd: string,
  trackId: string,
  reverted: string,
): Promise<string> {
  const have = await git(
    [
      'log',
      '-1',
      `--format=%(trailers:key=Yardmaster-Track,valueonly)%x1f%(trailers:key=${REVERT_TRAILER},valueonly)`,
    ],
    { cwd },
  );
  const [tracks = '', reverts = ''] = have.split('\x1f');
  const add = [
    ...(tracks.split('\n').some((v) => v.trim() === trackId)
      ? []
      : ['--trailer', `Yardmaster-Track: ${trackId}`]),
    ...(reverts.split('\n').some((v) => v.trim() === reverted)
      ? []
      : ['--trailer', `${REVERT_TRAILER}: ${reverted}`]),
  ];
  if (add.length)
    await git(['commit', '--quiet', '--amend', '--no-edit', '--no-verify', ...add], {
      cwd,
      ...QUIET,
    });
  return git(['rev-parse', 'HEAD'], { cwd });
}

/** Puts the track's docs back as HEAD has them: a revert never undoes plan ticks line by line. */
async function restoreDocs(git: Git, cwd: string, trackId: string): Promise<void> {
  for (const dir of docsPaths(trackId)) {
    if (await git.ok(['cat-file', '-e', `HEAD:${dir}`], { cwd })) {
      await git(['restore', '--source=HEAD', '--staged', '--worktree', '--', dir], { cwd });
    } else {
      await git(['rm', '-r', '-q', '-f', '--ignore-unmatch', '--', dir], { cwd });
    }
  }
}

async function conflictedPaths(git: Git, cwd: string): Promise<string[]> {
  return (await git(['diff', '--name-only', '--diff-filter=U', '-z'], { cwd }))
    .split('\0')
    .filter(Boolean);
}

async function revertInProgress(git: Git, cwd: string): Promise<boolean> {
  return git.ok(['rev-parse', '--verify', '--quiet', 'REVERT_HEAD'], { cwd });
}
