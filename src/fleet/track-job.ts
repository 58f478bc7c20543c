// A worker's processor for one track attempt (`<run>.<track>.<attempt>`): the clone is made
// what the remote holds, the local engine's own track loop (engine/track-loop.ts: provision,
// attempt, collect, validate, through engine/activities.ts) runs exactly this one attempt, the
// branch is pushed, and a plain result goes back. Whether another attempt follows is the
// coordinator's decision (flow/attempts.ts), taken over this result.
import { InterruptedError, WorkFailedError } from '../core/errors.js';
import type { AgentDefinition } from '../agents/registry.js';
import { refExists } from '../git/worktrees.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { readTrackFiles } from '../tracks/files.js';
import { syncTrackDefinitions } from '../tracks/register.js';
import { runTrack } from '../engine/track-loop.js';
import type { TrackJobData, TrackJobResult } from './jobs.js';
import { mirrorState } from './mirror.js';
import { alignTrackBranch, fetchRemote, pushTrackBranch, syncLocalTarget } from './remote-git.js';
import type { Serial } from './serial.js';

export interface WorkerSide {
  readonly env: RunEnv;
  readonly name: string;
  readonly serial: Serial;
  readonly agentFor: (name: string | null) => AgentDefinition;
}

/** Fetches the remote and makes the local target and the track definitions what it holds. */
export async function syncFromRemote(env: RunEnv): Promise<void> {
  const { git, config } = env;
  await fetchRemote(git, config.engine.remote);
  await syncLocalTarget(git, config.engine.remote, config.target);
  syncTrackDefinitions(env.store, readTrackFiles(env.repo.root));
}

export async function processTrackJob(
  side: WorkerSide,
  data: TrackJobData,
  jobId: string,
): Promise<TrackJobResult> {
  const { env, name } = side;
  const { store, config, git } = env;
  const remote = config.engine.remote;
  const branch = branchFor(config, data.trackId);
  const lease = await side.serial.run(async () => {
    await syncFromRemote(env);
    return alignTrackBranch(git, remote, branch);
  });
  if (!store.getTrack(data.trackId))
    throw new WorkFailedError(
      `Track ${data.trackId} is not on ${remote}/${config.target}: push its yardmaster/tracks/${data.trackId}/ first.`,
    );
  // This machine's mirror: the track queued at the job's attempt, with the job's feedback.
  store.atomically(() => {
    mirrorState(store, data.trackId, 'queued', {
      reason: `fleet job ${jobId} on ${name}`,
      patch: { attempt: data.attempt },
    });
    if (data.feedback)
      store.appendEvent({
        trackId: data.trackId,
        type: 'track.feedback',
        data: { text: data.feedback },
      });
  });
  // Exactly this attempt: the loop's own "may it try again" says no after it, and the
  // coordinator decides with the run's real ceiling.
  const once: RunEnv = { ...env, config: { ...config, attempts: data.attempt } };
  const outcome = await runTrack(
    once,
    data.trackId,
    side.agentFor(data.agent),
    `refs/heads/${config.target}`,
    { fresh: data.fresh },
  );
  // What the attempt committed goes to the remote, whatever the verdict: the next attempt or
  // the merge step continues from it on any machine.
  if (await refExists(git, `refs/heads/${branch}`))
    await side.serial.run(() => pushTrackBranch(git, remote, branch, lease));
  const row = store.getTrack(data.trackId)!;
  switch (outcome) {
    case 'ready':
      return {
        kind: 'ready',
        worker: name,
        headSha: await git(['rev-parse', `refs/heads/${branch}`]),
      };
    case 'failed': {
      const lastRun = store.listRuns(data.trackId).at(-1);
      const failedEvent = store
        .listEvents({ trackId: data.trackId })
        .findLast((e) => e.type === 'track.state');
      const feedback = (failedEvent?.data as { feedback?: unknown } | null)?.feedback;
      return {
        kind: 'failed',
        worker: name,
        reason: lastRun?.reason ?? row.reason ?? 'failed',
        feedback: typeof feedback === 'string' ? feedback : null,
      };
    }
    case 'cancelled':
      return { kind: 'cancelled', worker: name, reason: row.reason ?? 'cancelled' };
    case 'interrupted':
      // The worker is stopping (Ctrl-C): the job goes back to the queue for another worker.
      throw new InterruptedError(
        `${name} stopped during attempt ${data.attempt} of ${data.trackId}`,
      );
    case 'skipped':
      throw new WorkFailedError(
        `${name} could not claim ${data.trackId} in its state.db (it is ${row.state}).`,
      );
  }
}
