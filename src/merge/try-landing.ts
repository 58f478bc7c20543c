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
import { buildCandidate, type Candidate } from './integrate.js';
import { dirtyFiles } from '../git/worktrees.js';
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
  /** The speculative window, when the queue runs one (src/engine/speculation.ts). */
  window?: LandingWindow | undefined;
}

/** What the speculative window offers a landing try: candidates it built and checked already. */
export interface LandingWindow {
  /**
   * The candidate of this branch head on exactly this target, built and checked with a
   * passing report (waiting for its checks while they run); none: the try builds its own.
   */
  passed(
    trackId: string,
    branchHead: string,
    targetSha: string,
  ): Promise<{ candidate: BuiltCandidate; report: CheckReport } | undefined>;
  /** The report of the checks on exactly this commit built on exactly this target, if any. */
  report(candidateSha: string, targetSha: string): Promise<CheckReport | undefined>;
}

/** A candidate as built (src/merge/integrate.ts). */
export type BuiltCandidate = Extract<Candidate, { kind: 'ok' }>;

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
  const head =
    (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], {
      reject: false,
    })) || null;
  if (input.expectHead && head !== input.expectHead.sha)
    return {
      result: {
        kind: 'head-moved',
        head,
        expected: input.expectHead.sha,
        approved: input.expectHead.approved,
      },
    };
  step('updating target');
  const targetSha = await provider.syncTarget(config.target, signal);
  // The window built and checked this very branch on this very target already: that commit
  // lands, as it was checked. The track's worktree is looked at, not rebuilt.
  const ahead = head ? await input.window?.passed(track.id, head, targetSha) : undefined;
  if (ahead) {
    const dirty = await dirtyFiles(git, worktree);
    if (dirty.length) return { result: { kind: 'dirty', paths: dirty } };
    if (input.precheckCheckouts) {
      const before = await heldBy(env, input, targetSha, ahead.candidate);
      if (before.outcome) return { ...before.outcome, built: head! };
    }
    step('checking', ahead.candidate.sha);
    recordChecks(env, track.id, ahead.report, true);
    return landChecked(env, provider, input, {
      targetSha,
      candidate: ahead.candidate,
      report: ahead.report,
      uncommitted: [],
      moveWorktree: config.merge.strategy === 'rebase',
      // Until it lands, the branch stays where it is: the window built elsewhere.
      branchNow: head!,
    });
  }
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
    if (input.precheckCheckouts) {
      const before = await heldBy(env, input, targetSha, candidate);
      if (before.outcome) return before.outcome;
    }
    step('checking', candidate.sha);
    // The window checked this very commit on this very target (or is checking it): its
    // report stands for it. Else the checks run here.
    const speculated = await input.window?.report(candidate.sha, targetSha);
    // The worktree is at the candidate, clean: the checks need not ask git where it is. The
    // holder mark lets the next merge end these checks if this process is killed.
    const report: CheckReport =
      speculated ??
      (await runChecks(
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
      ));
    recordChecks(env, track.id, report, speculated !== undefined);
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
    const outcome = await landChecked(env, provider, input, {
      targetSha,
      candidate,
      report,
      uncommitted: after.dirty,
      moveWorktree: false,
      branchNow: candidate.branchHead,
    });
    landedOk = outcome.result.kind === 'landed';
    return outcome;
  } finally {
    if (!landedOk) await git.ok(['switch', '--quiet', branch], { cwd: worktree });
  }
}

function recordChecks(env: RunEnv, trackId: string, report: CheckReport, speculated: boolean) {
  env.store.appendEvent({
    trackId,
    type: 'checks.finished',
    data: {
      ok: report.ok,
      headSha: report.headSha,
      results: report.results,
      during: 'merge',
      // Run by the speculative window, on this very commit and target.
      ...(speculated ? { speculated: true } : {}),
    },
  });
}

/** The user's checkouts of the target: a landing they would hold is reported, never forced. */
async function heldBy(
  env: RunEnv,
  input: LandingInput,
  targetSha: string,
  candidate: BuiltCandidate,
  changed?: readonly string[],
) {
  const plan = await planCheckouts(env.git, env.config.target, targetSha, candidate.sha, {
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
}

/**
 * A candidate whose checks passed: look at the user's checkouts, land exactly that SHA, and
 * keep what revert needs. `moveWorktree`: the candidate was built elsewhere (the window's
 * worktree), so the track's worktree and branch are brought to it once it landed, as a
 * rebase in place would have left them.
 */
async function landChecked(
  env: RunEnv,
  provider: VcsProvider,
  input: LandingInput,
  c: {
    targetSha: string;
    candidate: BuiltCandidate;
    report: CheckReport;
    uncommitted: string[];
    moveWorktree: boolean;
    /** Where the branch is while the candidate has not landed (the `built` of a setback). */
    branchNow: string;
  },
): Promise<LandingOutcome> {
  const { config, git } = env;
  const { track, branch, step, signal } = input;
  const { targetSha, candidate, report } = c;
  // The checks' own diff (from the target to the candidate) says which files the merge changes.
  const changed = report.mergeBase === targetSha && report.changed ? report.changed : undefined;
  const inspected = await heldBy(env, input, targetSha, candidate, changed);
  if (inspected.outcome) return { ...inspected.outcome, built: c.branchNow };
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
    return { built: c.branchNow, result: { kind: 'target-moved', detail: landed.detail } };
  if (landed.kind === 'checks-failed')
    return {
      built: c.branchNow,
      result: { kind: 'forge-checks-failed', detail: landed.detail },
    };
  if (landed.kind === 'rejected')
    return { built: c.branchNow, result: { kind: 'rejected', detail: landed.detail } };
  // It landed: from here nothing may throw, or the queue would give back a track the target
  // already holds. What fails is said as a warning.
  const { branchHead } = candidate;
  if (c.moveWorktree) {
    // The branch is what landed (a rebase moves it), and its worktree follows, detached first
    // so that the branch is checked out nowhere while it moves.
    const moved =
      (await git
        .ok(['checkout', '--quiet', '--detach', candidate.sha], { cwd: input.worktree })
        .catch(() => false)) &&
      (await git.ok(['update-ref', `refs/heads/${branch}`, candidate.sha]).catch(() => false));
    if (!moved)
      env.report(
        track.id,
        `warning: could not bring ${input.worktree} to what landed (${candidate.sha.slice(0, 8)})`,
      );
  }
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
      env.report(null, `warning: could not update the files of ${path}; run \`git status\` there`);
  }
  return {
    result: { kind: 'landed' },
    landed: {
      targetSha: landed.targetSha,
      targetBefore: targetSha,
      commits: candidate.commits,
      branchHead,
      url: landed.url,
      uncommitted: c.uncommitted,
    },
  };
}
