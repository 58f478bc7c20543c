// One try at landing a track, the merge queue's activity: bring the target up to date, build
// the candidate on it (rebase, merge or squash), run the checks on that exact commit, look at
// the worktree and the user's checkouts, and land exactly that SHA through the provider. It
// decides nothing and moves no track: it reports what happened (src/flow/queue.ts decides).
// Run again after a crash it starts over from the target as it is then; landing is a
// compare-and-swap, so a candidate lands at most once.
import { runChecks } from '../checks/run.js';
import type { CheckReport } from '../checks/types.js';
import { checksFeedback } from '../flow/feedback.js';
import type { MergeStepResult } from '../flow/queue.js';
import { checkoutStatus } from '../git/status.js';
import { MERGE_HOLDER_VARIABLE } from '../proc/orphans.js';
import type { RunEnv } from '../runtime/env.js';
import type { TrackRow } from '../state/rows.js';
import type { VcsProvider } from '../vcs/types.js';
import { fastForwardCheckout, planCheckouts, type TargetCheckouts } from './checkouts.js';
import { trackDescription } from './describe.js';
import { buildCandidate } from './integrate.js';
import { SQUASHED_REFS } from './record.js';

export interface LandingInput {
  track: TrackRow;
  worktree: string;
  branch: string;
  /** The user's checkouts of the target, as this drain knows them. */
  checkouts?: TargetCheckouts | undefined;
  /**
   * Look at the user's checkouts before the checks too (a track whose landing they held last
   * time): a landing that would be held again costs no check run.
   */
  precheckCheckouts?: boolean;
  /** Records the step (state.db's queue row: crash recovery reads `landing` and its SHA). */
  step(name: string, headSha?: string): void;
  signal: AbortSignal;
  /**
   * The branch head the candidate must be built from: the one the approval gate passed
   * (`approved`: the one an approval names). Any other head is not built.
   */
  expectHead?: { sha: string; approved: boolean } | undefined;
  /**
   * The speculative window's report of the checks on exactly this candidate built on exactly
   * this target, if it has one (waiting for it while it runs); none: the checks run here.
   */
  prechecked?: (candidateSha: string, targetSha: string) => Promise<CheckReport | undefined>;
}

export type LandingOutcome =
  /** `built`: the branch head the candidate was built from, once the build succeeded (moved by a rebase). */
  | { result: Exclude<MergeStepResult, { kind: 'landed' }>; built?: string }
  | {
      result: { kind: 'landed' };
      landed: {
        targetSha: string;
        targetBefore: string;
        commits: number;
        branchHead: string;
        url?: string | undefined;
        uncommitted: string[];
      };
    };

export async function tryLanding(
  env: RunEnv,
  provider: VcsProvider,
  input: LandingInput,
): Promise<LandingOutcome> {
  const { config, git, ctx } = env;
  const { track, worktree, branch, step, signal } = input;
  if (input.expectHead) {
    const head =
      (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
        reject: false,
      })) || null;
    if (head !== input.expectHead.sha)
      return {
        result: {
          kind: 'head-moved',
          head,
          expected: input.expectHead.sha,
          approved: input.expectHead.approved,
        },
      };
  }
  step('updating target');
  const targetSha = await provider.syncTarget(config.target, signal);
  step(
    `${config.merge.strategy === 'rebase' ? 'rebasing' : config.merge.strategy === 'merge' ? 'merging' : 'squashing'} onto ${targetSha.slice(0, 8)}`,
  );
  const candidate = await buildCandidate(git, {
    worktree,
    branch,
    targetSha,
    strategy: config.merge.strategy,
    trackId: track.id,
    title: track.title,
  });
  if (candidate.kind === 'dirty') return { result: { kind: 'dirty', paths: candidate.paths } };
  if (candidate.kind === 'conflict')
    return { result: { kind: 'conflict', paths: candidate.paths } };
  // From here on the worktree may be detached at the candidate (merge/squash); every way out
  // except landing puts it back on the branch.
  let landedOk = false;
  try {
    // The user's checkouts of the target: a landing they would hold is reported, never forced.
    const held = async (changed?: readonly string[]) => {
      const plan = await planCheckouts(git, config.target, targetSha, candidate.sha, {
        changed,
        checkouts: input.checkouts,
      });
      const outcome: LandingOutcome | null = plan.blocked
        ? {
            built: candidate.branchHead,
            result: {
              kind: 'checkout-blocked',
              path: plan.blocked.path,
              files: plan.blocked.files,
            },
          }
        : null;
      return { plan, outcome };
    };
    if (input.precheckCheckouts) {
      const before = await held();
      if (before.outcome) return before.outcome;
    }
    step('checking', candidate.sha);
    // The window checked this very commit on this very target already (or is checking it):
    // its report stands for it. Else the checks run here.
    const speculated = await input.prechecked?.(candidate.sha, targetSha);
    // The worktree is at the candidate, clean: the checks need not ask git where it is. The
    // holder mark lets the next merge end these checks if this process is killed.
    const report: CheckReport = speculated ?? await runChecks(
      ctx,
      {
        cwd: worktree,
        trackId: track.id,
        target: targetSha,
        resolved: { head: candidate.sha, targetSha, base: candidate.base },
        signal,
        env: { [MERGE_HOLDER_VARIABLE]: env.holder.id },
      },
      config,
    );
    env.store.appendEvent({
      trackId: track.id,
      type: 'checks.finished',
      data: {
        ok: report.ok,
        headSha: report.headSha,
        results: report.results,
        during: 'merge',
        ...(speculated ? { speculated: true } : {}),
      },
    });
    if (signal.aborted) return { built: candidate.branchHead, result: { kind: 'interrupted' } };
    if (!report.ok || report.headSha !== candidate.sha)
      return {
        built: candidate.branchHead,
        result: { kind: 'checks-failed', feedback: checksFeedback(report) },
      };
    // The command checks ran in the worktree: it must still be at the candidate. What they
    // left uncommitted keeps the worktree from the pool after landing.
    const after = await checkoutStatus(git, worktree);
    if (after.head !== candidate.sha)
      return { result: { kind: 'worktree-moved', head: after.head, candidate: candidate.sha } };
    if (after.tracked.length)
      return { result: { kind: 'checks-changed-files', paths: after.tracked } };
    // The checks' own diff (from the target to the candidate) says which files the merge changes.
    const changed = report.mergeBase === targetSha && report.changed ? report.changed : undefined;
    const inspected = await held(changed);
    if (inspected.outcome) return inspected.outcome;
    const checkouts = inspected.plan;
    step('landing', candidate.sha);
    const landed = await provider.land({
      trackId: track.id,
      title: track.title,
      branch,
      sha: candidate.sha,
      expectedTarget: targetSha,
      strategy: config.merge.strategy,
      report,
      description: trackDescription(env, track),
      signal,
    });
    if (landed.kind === 'target-moved')
      return {
        built: candidate.branchHead,
        result: { kind: 'target-moved', detail: landed.detail },
      };
    if (landed.kind === 'checks-failed')
      return {
        built: candidate.branchHead,
        result: { kind: 'forge-checks-failed', detail: landed.detail },
      };
    if (landed.kind === 'rejected')
      return { built: candidate.branchHead, result: { kind: 'rejected', detail: landed.detail } };
    landedOk = true;
    // It landed: from here nothing may throw, or the queue would give back a track the target
    // already holds. What fails is said as a warning.
    const { branchHead } = candidate;
    // What revert needs to undo single tasks later: the branch as it was merged. A squash
    // leaves its commits out of the target's history, so a ref keeps them from git gc.
    if (
      config.merge.strategy === 'squash' &&
      !(await git.ok(['update-ref', `${SQUASHED_REFS}${track.id}`, branchHead]).catch(() => false))
    ) {
      env.report(
        track.id,
        `warning: could not keep the squashed branch as ${SQUASHED_REFS}${track.id}`,
      );
    }
    for (const path of checkouts.update) {
      const updated = await fastForwardCheckout(git, path, targetSha, landed.targetSha).catch(
        () => false,
      );
      if (!updated)
        env.report(
          null,
          `warning: could not update the files of ${path}; run \`git status\` there`,
        );
    }
    return {
      result: { kind: 'landed' },
      landed: {
        targetSha: landed.targetSha,
        targetBefore: targetSha,
        commits: candidate.commits,
        branchHead,
        url: landed.url,
        uncommitted: after.dirty,
      },
    };
  } finally {
    if (!landedOk) await git.ok(['switch', '--quiet', branch], { cwd: worktree });
  }
}
