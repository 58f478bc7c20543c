// `ym revert <id>[:phase<N>|:task<X.Y>]`: undo a merged track, phase or task on the target by
// revert commits. Plan -> confirm (never blocking without a terminal) -> under the merge lock:
// revert commits in a temporary worktree, checks on that exact head, landing by the provider,
// the record in state.db. A conflict stops it; `--continue` and `--abort` pick it up.
import type { Context } from '../context.js';
import { ExitCode, InterruptedError, UsageError, type ExitCodeValue } from '../core/errors.js';
import { repoCommands } from '../config/commands.js';
import { requireConfig } from '../config/require.js';
import { requireTrust } from '../config/trust.js';
import { confirm } from '../cli/prompt.js';
import { refExists } from '../git/worktrees.js';
import { withMergeLock } from '../runtime/leases.js';
import { createRunEnv, type RunEnv } from '../runtime/env.js';
import { unknownTrack } from '../state/tracks.js';
import { readTrackFiles } from '../tracks/files.js';
import { syncTrackDefinitions } from '../tracks/register.js';
import { createProvider, type ProviderName } from '../vcs/index.js';
import type { VcsProvider } from '../vcs/types.js';
import {
  createRevertWorktree,
  removeRevertWorktree,
  resetMarkers,
  resumeStopped,
  revertPending,
  revertWorktreePath,
} from './apply.js';
import { readJob, removeJob, saveJob, type RevertJob } from './job.js';
import { checkAndLand, RevertChecksFailedError, type Landed } from './land.js';
import { assertMerged, planRevert, recordRevert, samePlan, type RevertPlan } from './plan.js';
import { assertCheckoutsReady } from './preflight.js';
import {
  planJson,
  printPlan,
  printResult,
  printStopped,
  stopCommands,
  type StopInfo,
} from './render.js';
import { describeSpec, parseRevertSpec, revertBranch, type RevertSpec } from './spec.js';

export interface RevertOptions {
  spec: string;
  continue: boolean;
  abort: boolean;
  provider?: ProviderName | undefined;
}

type Outcome =
  | { kind: 'done'; job: RevertJob | null; landed: Landed | null }
  | { kind: 'stopped'; info: StopInfo };

export async function revert(opts: RevertOptions, ctx: Context): Promise<ExitCodeValue> {
  await requireConfig(ctx);
  const spec = parseRevertSpec(opts.spec);
  if (opts.continue && opts.abort)
    throw new UsageError('--continue and --abort cannot be used together.');
  const env = await createRunEnv(ctx, (trackId, text) =>
    ctx.out.info(`${trackId ? `${trackId}: ` : ''}${text}`),
  );
  if (opts.abort) return abort(env, spec);
  const provider = await createProvider(env, opts.provider);
  const { store, config } = env;
  if (!(await refExists(env.git, `refs/heads/${config.target}`))) {
    throw new UsageError(`The target branch "${config.target}" does not exist.`, {
      hint: 'Set "target" in yardmaster.json to an existing branch.',
    });
  }
  syncTrackDefinitions(store, readTrackFiles(env.repo.root));
  const track = store.getTrack(spec.trackId);
  if (!track) throw unknownTrack(spec.trackId);
  if (opts.continue) return finish(env, spec, await continueRevert(env, provider, spec));
  const stopped = readJob(env.repo.stateDir, spec.trackId);
  if (stopped) {
    throw new UsageError(
      `A revert of ${stopped.spec} is not finished (its worktree: ${stopped.worktree}).`,
      {
        hint: `Finish it with \`ym revert ${stopped.spec} --continue\`, or drop it with \`ym revert ${stopped.spec} --abort\`.`,
      },
    );
  }
  assertMerged(track, config.target);
  const plan = await planRevert(
    env,
    spec,
    track,
    await provider.syncTarget(config.target, ctx.signal),
  );
  await assertCheckoutsReady(env, plan.selection.files);
  if (!ctx.json) printPlan(ctx.out, plan);
  const commands = repoCommands(config, { checks: true, setup: true });
  if (commands.length) await requireTrust(ctx, commands);
  if (!ctx.yes) {
    if (!ctx.interactive) {
      if (ctx.json) ctx.out.json({ applied: false, plan: planJson(plan) });
      ctx.out.error(`Not applied: revert asks before it changes ${config.target}.`);
      ctx.out.info(`  Run it again with --yes to apply this plan: ym revert ${spec.text} --yes`);
      return ExitCode.usage;
    }
    if (!(await confirm(ctx, `Revert ${describeSpec(spec)} on ${config.target}?`, false))) {
      ctx.out.line('Nothing changed.');
      return ExitCode.ok;
    }
  }
  const outcome = await withMergeLock(
    env,
    async (): Promise<Outcome> => {
      const fresh = store.getTrack(spec.trackId)!;
      assertMerged(fresh, config.target);
      const base = await provider.syncTarget(config.target, ctx.signal);
      const now = base === plan.targetSha ? plan : await planRevert(env, spec, fresh, base);
      if (!samePlan(plan, now)) {
        throw new UsageError(
          `What ${spec.text} would revert changed while it waited; nothing was changed.`,
          { hint: 'Run it again to see the new plan.' },
        );
      }
      await assertCheckoutsReady(env, now.selection.files);
      if (now.selection.targets.length === 0 && now.selection.tasks.length === 0) {
        recordRevert(env, spec, null, null);
        return { kind: 'done', job: null, landed: null };
      }
      const worktree = await createRevertWorktree(env, spec.trackId, base);
      const job: RevertJob = {
        version: 1,
        spec: spec.text,
        trackId: spec.trackId,
        worktree,
        base,
        pending: [...now.selection.targets],
        done: [],
        stopped: null,
        resetTasks: now.selection.tasks,
        planPath: now.planPath,
      };
      saveJob(env.repo.stateDir, job);
      return runJob(env, provider, spec, job);
    },
    () => env.report(spec.trackId, 'waiting for the merge queue to finish its merge'),
  );
  if (outcome === null)
    throw new InterruptedError(
      'Interrupted while waiting for the merge queue; nothing was changed.',
    );
  return finish(env, spec, outcome, plan);
}

async function continueRevert(
  env: RunEnv,
  provider: VcsProvider,
  spec: RevertSpec,
): Promise<Outcome> {
  const job = readJob(env.repo.stateDir, spec.trackId);
  if (!job)
    throw new UsageError(`There is no stopped revert of ${spec.trackId} to continue.`, {
      hint: `Start one with \`ym revert ${spec.text}\`.`,
    });
  if (job.spec !== spec.text) {
    throw new UsageError(
      `The stopped revert of ${spec.trackId} is ${job.spec}, not ${spec.text}.`,
      { hint: `Run \`ym revert ${job.spec} --continue\`.` },
    );
  }
  await assertCheckoutsReady(env, []);
  const outcome = await withMergeLock(env, async () => {
    assertMerged(env.store.getTrack(spec.trackId)!, env.config.target);
    return runJob(env, provider, spec, job);
  });
  if (outcome === null)
    throw new InterruptedError(
      'Interrupted while waiting for the merge queue; nothing was changed.',
    );
  return outcome;
}

/** Reverts what is pending, resets the markers, checks and lands; the job goes when it is done. */
async function runJob(
  env: RunEnv,
  provider: VcsProvider,
  spec: RevertSpec,
  job: RevertJob,
): Promise<Outcome> {
  const stateDir = env.repo.stateDir;
  const save = () => saveJob(stateDir, job);
  // Problems with a resolved conflict are the user's to fix: everything is kept for them.
  await resumeStopped(env, job, save);
  try {
    const step = await revertPending(env, job, save);
    if (step.kind === 'conflict')
      return {
        kind: 'stopped',
        info: { job, sha: step.target.sha, subject: step.target.subject, paths: step.paths },
      };
    await resetMarkers(env, job);
    const head = await env.git(['rev-parse', 'HEAD'], { cwd: job.worktree });
    const landed =
      head === job.base
        ? null
        : await checkAndLand(env, provider, {
            job,
            save,
            branch: revertBranch(env.config.branchPrefix, spec),
            title: `Revert ${spec.text}`,
            description: `Reverts ${describeSpec(spec)} (yardmaster):\n${job.done.map((d) => `- ${d.reverted}`).join('\n')}`,
          });
    recordRevert(env, spec, job, landed);
    await removeRevertWorktree(env, job.worktree);
    removeJob(stateDir, spec.trackId);
    return { kind: 'done', job, landed };
  } catch (err) {
    // Failing checks and Ctrl-C keep the revert for --continue; anything else drops it (the target is unchanged).
    if (
      !(err instanceof RevertChecksFailedError) &&
      !(err instanceof InterruptedError) &&
      !env.ctx.signal.aborted
    ) {
      await removeRevertWorktree(env, job.worktree).catch(() => false);
      removeJob(stateDir, spec.trackId);
    }
    throw err;
  }
}

function finish(env: RunEnv, spec: RevertSpec, outcome: Outcome, plan?: RevertPlan): ExitCodeValue {
  const { ctx, config } = env;
  if (outcome.kind === 'stopped') {
    const { info } = outcome;
    if (ctx.json) {
      ctx.out.json({
        applied: false,
        stopped: {
          sha: info.sha,
          subject: info.subject,
          paths: info.paths,
          worktree: info.job.worktree,
          commands: stopCommands(info),
        },
      });
    } else printStopped(ctx.out, config.target, info);
    return ExitCode.failed;
  }
  const { job, landed } = outcome;
  if (ctx.json) {
    ctx.out.json({
      applied: true,
      spec: spec.text,
      state: env.store.getTrack(spec.trackId)?.state,
      ...(plan ? { plan: planJson(plan) } : {}),
      reverts: job?.done ?? [],
      tasks: job?.resetTasks ?? [],
      targetBefore: landed?.before ?? null,
      targetAfter: landed?.after ?? null,
      ...(landed?.url ? { url: landed.url } : {}),
    });
  } else printResult(ctx.out, spec, config.target, job, landed);
  return ExitCode.ok;
}

async function abort(env: RunEnv, spec: RevertSpec): Promise<ExitCodeValue> {
  const { ctx, repo } = env;
  let job: RevertJob | null = null;
  try {
    job = readJob(repo.stateDir, spec.trackId);
  } catch {
    // A damaged job file is dropped all the same.
  }
  const worktree = job?.worktree ?? revertWorktreePath(env, spec.trackId);
  const removed = await removeRevertWorktree(env, worktree);
  removeJob(repo.stateDir, spec.trackId);
  if (!job && !removed) throw new UsageError(`There is no revert of ${spec.trackId} to abort.`);
  if (ctx.json) ctx.out.json({ aborted: true, spec: job?.spec ?? spec.text, worktree });
  else
    ctx.out.line(
      `Dropped the revert of ${job?.spec ?? spec.text} (removed ${worktree}); ${env.config.target} was not changed.`,
    );
  return ExitCode.ok;
}
