// The speculative queue's two activities, in a worktree of the queue's pool: build a
// candidate (the track's branch on top of a base: the target, or the candidate ahead of it in
// the window), and check it. Neither moves a branch, a track or the target: the window's
// runner (src/engine/speculation.ts) keeps their results, and the queue takes a result only
// for the very commit it is about to land (try-landing.ts, `prechecked`).
import { runChecks } from '../checks/run.js';
import type { CheckReport } from '../checks/types.js';
import { checkoutStatus } from '../git/status.js';
import { MERGE_HOLDER_VARIABLE } from '../proc/orphans.js';
import type { RunEnv } from '../runtime/env.js';
import { keptPaths } from '../worktrees/queue-pool.js';
import { buildCandidate } from './integrate.js';
import type { BuiltCandidate } from './try-landing.js';

export interface SpeculativeBuildInput {
  trackId: string;
  title: string;
  branch: string;
  /** A worktree of the queue's pool (src/worktrees/queue-pool.ts). */
  worktree: string;
  /** The commit the candidate is built on. */
  baseSha: string;
}

export type SpeculativeBuild =
  { kind: 'built'; candidate: BuiltCandidate } | { kind: 'conflict'; paths: string[] };

export async function buildSpeculative(
  env: RunEnv,
  input: SpeculativeBuildInput,
): Promise<SpeculativeBuild> {
  const built = await buildCandidate(env.git, {
    worktree: input.worktree,
    branch: input.branch,
    targetSha: input.baseSha,
    strategy: env.config.merge.strategy,
    trackId: input.trackId,
    title: input.title,
    detached: true,
    keep: keptPaths(env),
  });
  if (built.kind === 'conflict') return { kind: 'conflict', paths: built.paths };
  // Reset before the build, a pool worktree is never dirty.
  if (built.kind === 'dirty') throw new Error(`the queue's worktree ${input.worktree} is dirty`);
  return { kind: 'built', candidate: built };
}

export interface SpeculativeCheckInput {
  trackId: string;
  worktree: string;
  sha: string;
  baseSha: string;
  /** Where `sha` meets the base, when the build proved it. */
  base?: string | undefined;
  signal: AbortSignal;
}

/** The checks' report on exactly `sha`; undefined when it cannot stand for that commit. */
export async function checkSpeculative(
  env: RunEnv,
  input: SpeculativeCheckInput,
): Promise<CheckReport | undefined> {
  const { git, ctx, config } = env;
  const report = await runChecks(
    ctx,
    {
      cwd: input.worktree,
      trackId: input.trackId,
      target: input.baseSha,
      resolved: { head: input.sha, targetSha: input.baseSha, base: input.base },
      signal: input.signal,
      // The holder mark lets the next merge end these checks if this process is killed.
      env: { [MERGE_HOLDER_VARIABLE]: env.holder.id },
    },
    config,
  );
  if (input.signal.aborted || report.interrupted || report.headSha !== input.sha) return undefined;
  // A check that moved the worktree or rewrote tracked files did not judge that commit.
  const after = await checkoutStatus(git, input.worktree);
  if (after.head !== input.sha || after.tracked.length) return undefined;
  return report;
}
