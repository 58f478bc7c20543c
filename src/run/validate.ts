// Validating an attempt's work, the track loop's check activity: the checks run in the track's
// worktree on the head the attempt ended on, against the target's current commit, and the
// result is recorded (`checks.finished`). It moves no track. Run again, it judges the same
// commit again: the checks are the user's commands and must be repeatable.
import { runChecks } from '../checks/run.js';
import type { CheckReport } from '../checks/types.js';
import { looseRef } from '../git/files.js';
import { revParse } from '../git/worktrees.js';
import type { RunEnv } from '../runtime/env.js';

export interface ValidateInput {
  trackId: string;
  runId: number;
  worktree: string;
  /** The commit the attempt ended on, when it knows it (saves asking git). */
  head?: string | undefined;
  logFile: string;
  signal: AbortSignal;
}

export async function validateWork(env: RunEnv, input: ValidateInput): Promise<CheckReport> {
  const { config } = env;
  const checks = {
    cwd: input.worktree,
    trackId: input.trackId,
    target: config.target,
    logFile: input.logFile,
    signal: input.signal,
  };
  // The target branch's commit (never a tag of the same name), from its loose ref when it has
  // one: a git process per track saved.
  const targetRef = `refs/heads/${config.target}`;
  const targetSha =
    looseRef(env.repo.commonDir, targetRef) ??
    (await revParse(env.git, targetRef, input.worktree).catch(() => undefined));
  const report = await runChecks(
    env.ctx,
    input.head ? { ...checks, resolved: { head: input.head, targetSha } } : checks,
    config,
  );
  env.store.appendEvent({
    trackId: input.trackId,
    runId: input.runId,
    type: 'checks.finished',
    data: { ok: report.ok, headSha: report.headSha, results: report.results },
  });
  return report;
}
