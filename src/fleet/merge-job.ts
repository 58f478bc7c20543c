// A worker's processor for the merge step. Its queue has a global concurrency of 1, so this
// runs on one machine of the fleet at a time: the clone is made what the remote holds, the
// track is mirrored ready at the offered head, and the local engine's merge queue
// (engine/merge-queue.ts: sync the target, build the candidate, check that exact commit, land
// it through the provider by compare-and-swap) drains it alone. With the local provider,
// landing is a fast-forward push of the target to the shared remote (merge.push), so a remote
// that moved is a rebuild, never an overwrite.
import { WorkFailedError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import { refExists } from '../git/worktrees.js';
import { branchFor } from '../runtime/env.js';
import { MergeQueue } from '../engine/merge-queue.js';
import { pendingFeedback } from '../engine/track-loop.js';
import type { VcsProvider } from '../vcs/types.js';
import type { MergeJobData, MergeJobResult } from './jobs.js';
import { mirrorState } from './mirror.js';
import { alignTrackBranch, pushTrackBranch } from './remote-git.js';
import { syncFromRemote, type WorkerSide } from './track-job.js';

/** The first-parent commit of the target that brought `head` in, or null if it does not hold it. */
async function landingOf(git: Git, head: string, target: string): Promise<string | null> {
  const ref = `refs/heads/${target}`;
  if (!(await git.ok(['merge-base', '--is-ancestor', head, ref]))) return null;
  // The oldest first-parent commit that holds it.
  const chain = (await git(['rev-list', '--first-parent', ref])).split('\n').filter(Boolean);
  let at: string | null = null;
  for (const sha of chain) {
    if (!(await git.ok(['merge-base', '--is-ancestor', head, sha]))) break;
    at = sha;
  }
  return at;
}

/**
 * The candidate a run of this step was about to land, kept with the job (its progress) before
 * the target is pushed: a run after a dead worker finds it on the target whatever the strategy.
 */
export interface LandingRecord {
  /** What an earlier run of this job recorded, if one did. */
  previous: string | null;
  record(sha: string): void;
}

export async function processMergeJob(
  side: WorkerSide,
  provider: VcsProvider,
  data: MergeJobData,
  jobId: string,
  landing: LandingRecord = { previous: null, record: () => undefined },
): Promise<MergeJobResult> {
  const { env, name } = side;
  const { store, config, git } = env;
  const remote = config.engine.remote;
  const branch = branchFor(config, data.trackId);
  // The whole step holds the clone: no track job of this worker fetches or pushes meanwhile.
  return side.serial.run(async () => {
    await syncFromRemote(env);
    const head = await alignTrackBranch(git, remote, branch);
    if (!head)
      throw new WorkFailedError(
        `${remote} has no branch ${branch} for ${data.trackId}: the attempt that made it ready was not pushed.`,
      );
    const row = store.getTrack(data.trackId);
    if (!row)
      throw new WorkFailedError(`Track ${data.trackId} is not on ${remote}/${config.target}.`);
    // The coordinator offered it because its dependencies merged: the mirror says so too, so
    // the queue's own dependency rule (flow/queue.ts) agrees.
    for (const dep of row.dependsOn)
      mirrorState(store, dep, 'merged', { reason: 'merged (mirrored from the fleet)' });
    mirrorState(store, data.trackId, 'ready', {
      reason: null,
      patch: { attempt: data.attempt, branch },
      data: { headSha: head, job: jobId },
    });
    // A step run again after its worker died between the push of the target and its result:
    // the target already holds the validated head (the merge strategy, or a fast-forward), so
    // it is recorded as merged, never landed twice. The head itself for a merge or a
    // fast-forward; the candidate the earlier run recorded for a rebase or a squash.
    let landedAt: string | null = null;
    for (const sha of [landing.previous, head])
      if (sha && !landedAt) landedAt = await landingOf(git, sha, config.target);
    if (landedAt) {
      mirrorState(store, data.trackId, 'merged', {
        reason: 'recorded after an interrupted merge step',
        patch: { mergedSha: landedAt },
      });
      env.report(
        data.trackId,
        `already on ${config.target} at ${landedAt.slice(0, 8)}: recorded as merged`,
      );
      return {
        worker: name,
        outcome: 'merged',
        state: 'merged',
        reason: null,
        attempt: data.attempt,
        feedback: null,
        mergedSha: landedAt,
        landing: null,
      };
    }
    store.enqueue(data.trackId);
    // The queue says `merge: landing` right after recording the candidate it lands.
    const recording = {
      ...env,
      report: (id: string | null, text: string) => {
        env.report(id, text);
        if (id !== data.trackId || text !== 'merge: landing') return;
        const sha = store.listQueue().find((q) => q.trackId === id)?.headSha;
        if (sha) landing.record(sha);
      },
    };
    const queue = new MergeQueue(recording, provider, [data.trackId]);
    const outcome = (await queue.drain()).get(data.trackId) ?? 'skipped';
    const after = store.getTrack(data.trackId)!;
    // A branch the queue rebased and handed back goes to the remote for the next attempt.
    if (after.state !== 'merged' && (await refExists(git, `refs/heads/${branch}`))) {
      const local = await git(['rev-parse', `refs/heads/${branch}`]);
      if (local !== head) await pushTrackBranch(git, remote, branch, head);
    }
    const landed =
      after.state === 'merged'
        ? store
            .listEvents({ trackId: data.trackId })
            .findLast(
              (e) =>
                e.type === 'track.state' && (e.data as { to?: string } | null)?.to === 'merged',
            )
        : undefined;
    const record = landed?.data as Record<string, unknown> | undefined;
    return {
      worker: name,
      outcome,
      state: after.state,
      reason: after.reason,
      attempt: after.attempt,
      feedback: after.state === 'queued' ? pendingFeedback(env, data.trackId) : null,
      mergedSha: after.mergedSha,
      landing: record
        ? Object.fromEntries(
            Object.entries(record).filter(([k]) =>
              ['targetBefore', 'commits', 'strategy', 'branchHead', 'url'].includes(k),
            ),
          )
        : null,
    };
  });
}
