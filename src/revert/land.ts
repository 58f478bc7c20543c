// Lands a revert the way the merge queue lands a track: the checks run on the exact revert head
// (`runChecks`, the one check runner), the provider moves the target only to that validated SHA
// (locally by compare-and-swap; forges through a revert branch and its pull/merge request), and
// the user's checkouts of the target are fast-forwarded, keeping their own changes. If the target
// moved meanwhile, the revert commits are rebased onto it (in the temporary worktree) and checked
// again; never forced.
import path from 'node:path';
import { runChecks } from '../checks/run.js';
import { InterruptedError, WorkFailedError } from '../core/errors.js';
import { fastForwardCheckout, planCheckouts } from '../merge/checkouts.js';
import type { RunEnv } from '../runtime/env.js';
import type { VcsProvider } from '../vcs/types.js';
import type { RevertJob } from './job.js';

const MAX_RELOOPS = 5;
const QUIET = { env: { GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true' } };

/** The checks failed on the revert head: the revert stays in its worktree for --continue or --abort. */
export class RevertChecksFailedError extends WorkFailedError {}

export interface Landed {
  /** The target before and after. */
  before: string;
  after: string;
  /** The validated revert head. */
  head: string;
  url?: string;
}

export interface LandInput {
  job: RevertJob;
  /** Where a forge gets the revert proposed (`ym/revert-<id>...`). */
  branch: string;
  title: string;
  description: string;
  save: () => void;
}

export async function checkAndLand(
  env: RunEnv,
  provider: VcsProvider,
  input: LandInput,
): Promise<Landed> {
  const { git, config, ctx, store } = env;
  const { job } = input;
  const cwd = job.worktree;
  const target = config.target;
  for (let loop = 1; loop <= MAX_RELOOPS; loop++) {
    const head = await git(['rev-parse', 'HEAD'], { cwd });
    const now = await git(['rev-parse', `refs/heads/${target}`]);
    if (now !== job.base && (await git.ok(['merge-base', '--is-ancestor', head, now]))) {
      // Landed by an earlier run that died before recording it (resumed with --continue).
      return { before: job.base, after: now, head };
    }
    env.report(job.trackId, `revert: checking ${head.slice(0, 8)}`);
    const logFile = path.join(
      env.logsDir,
      job.trackId,
      `revert-${ctx.clock.now().toISOString().replace(/[:.]/g, '-')}.log`,
    );
    const report = await runChecks(
      ctx,
      {
        cwd,
        trackId: job.trackId,
        target: job.base,
        logFile,
        signal: ctx.signal,
        // A revert leaves tasks open by design, and changes only what the track changed.
        skipBuiltin: { names: ['plan-complete', 'scope'], why: 'not judged for a revert' },
      },
      config,
    );
    store.appendEvent({
      trackId: job.trackId,
      type: 'checks.finished',
      data: { ok: report.ok, headSha: report.headSha, results: report.results, during: 'revert' },
    });
    if (ctx.signal.aborted) {
      throw new InterruptedError(
        `Interrupted while checking the revert of ${job.spec}; ${target} is unchanged.`,
        {
          hint: `Finish it with \`ym revert ${job.spec} --continue\`, or drop it with \`ym revert ${job.spec} --abort\`.`,
        },
      );
    }
    if (!report.ok || report.headSha !== head) {
      const failed = report.results.filter(
        (r) => r.level === 'fail' && (r.status === 'fail' || r.status === 'error'),
      );
      throw new RevertChecksFailedError(
        `The checks failed on the revert of ${job.spec} (${head.slice(0, 12)}); ${target} is unchanged.`,
        {
          hint:
            `${failed.map((r) => `${r.name}: ${r.message ?? `exit ${String(r.exitCode)}`}`).join('; ')} (full output: ${logFile})\n` +
            `  The revert is kept in ${cwd}: fix it there (commit), then \`ym revert ${job.spec} --continue\`; or drop it with \`ym revert ${job.spec} --abort\`.`,
        },
      );
    }
    const checkouts = await planCheckouts(git, target, job.base, head);
    if (checkouts.blocked) {
      throw new WorkFailedError(
        `${checkouts.blocked.path} has uncommitted changes to files this revert changes (${checkouts.blocked.files.slice(0, 5).join(', ')}); nothing was changed.`,
        { hint: `Commit or stash them, then run \`ym revert ${job.spec}\` again.` },
      );
    }
    env.report(job.trackId, `revert: landing ${head.slice(0, 8)} on ${target}`);
    const landed = await provider.land({
      trackId: job.trackId,
      title: input.title,
      branch: input.branch,
      sha: head,
      expectedTarget: job.base,
      strategy: 'rebase',
      report,
      description: input.description,
      signal: ctx.signal,
    });
    if (landed.kind === 'landed') {
      for (const checkout of checkouts.update) {
        if (!(await fastForwardCheckout(git, checkout, job.base, landed.targetSha))) {
          env.report(
            null,
            `warning: could not update the files of ${checkout}; run \`git status\` there`,
          );
        }
      }
      return {
        before: job.base,
        after: landed.targetSha,
        head,
        ...(landed.url ? { url: landed.url } : {}),
      };
    }
    if (landed.kind !== 'target-moved') {
      throw new WorkFailedError(
        `The ${provider.name} provider did not take the revert of ${job.spec}: ${landed.detail}`,
      );
    }
    const next = await provider.syncTarget(target, ctx.signal);
    env.report(
      job.trackId,
      `revert: ${target} moved (${landed.detail}); rebuilding on ${next.slice(0, 8)}`,
    );
    if (!(await git.ok(['rebase', '--quiet', '--onto', next, job.base], { cwd, ...QUIET }))) {
      await git.ok(['rebase', '--abort'], { cwd });
      throw new WorkFailedError(
        `${target} moved during the revert and the revert commits no longer apply on it; nothing was changed.`,
        {
          hint: `Run \`ym revert ${job.spec}\` again.`,
        },
      );
    }
    job.base = next;
    input.save();
  }
  throw new WorkFailedError(`${target} kept moving (${MAX_RELOOPS} tries); nothing was changed.`, {
    hint: `Run \`ym revert ${job.spec}\` again.`,
  });
}
