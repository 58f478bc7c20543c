// The coordinator following its jobs: what a job's state and result in Redis mean for this
// state.db (apply.ts applies them), and which jobs an earlier coordinator of the run left open.
import type { Job } from 'bullmq';
import type { RunEnv } from '../runtime/env.js';
import { applyMergeResult, applyTaken, applyTrackResult, type Held } from './apply.js';
import { mirrorState } from './mirror.js';

/** The event a coordinator records for each job it adds (a restart re-attaches from it). */
export const FLEET_JOB = 'fleet.job';

export async function follow(
  env: RunEnv,
  h: Held,
  job: Job,
  state: string,
  held: Map<string, Held>,
  deps: { startTrack: (id: string, delay?: number) => Promise<void>; report: RunEnv['report'] },
): Promise<void> {
  const progress = job.progress as { worker?: unknown } | number;
  const worker =
    typeof progress === 'object' && typeof progress.worker === 'string' ? progress.worker : null;
  if ((state === 'active' || state === 'completed') && worker && h.worker !== worker) {
    applyTaken(env, h, worker);
    h.worker = worker;
  }
  if (state === 'completed') {
    held.delete(h.trackId);
    if (h.kind === 'track') {
      const next = applyTrackResult(env, h, job.returnvalue);
      if (next) await deps.startTrack(h.trackId, next.delay);
    } else applyMergeResult(env, h, job.returnvalue);
  } else if (state === 'failed') {
    held.delete(h.trackId);
    const reason = `the fleet gave up on job ${h.job}: ${job.failedReason ?? 'no reason given'}`;
    const row = env.store.getTrack(h.trackId);
    if (row && row.state !== 'failed') {
      mirrorState(env.store, h.trackId, 'failed', { reason });
      deps.report(h.trackId, `failed: ${reason}`);
    }
  }
}

/** The jobs an earlier coordinator of this run added and whose results it never applied. */
export function reattach(env: RunEnv, run: string): Map<string, Held> {
  const held = new Map<string, Held>();
  for (const t of env.store.listTracks()) {
    const last = env.store
      .listEvents({ trackId: t.id })
      .findLast((e) => e.type === FLEET_JOB && (e.data as { run?: unknown } | null)?.run === run);
    if (!last) continue;
    const h = last.data as unknown as Held;
    const open =
      h.kind === 'track'
        ? ['queued', 'provisioning', 'running', 'validating'].includes(t.state)
        : ['ready', 'merging'].includes(t.state);
    if (open)
      held.set(t.id, { kind: h.kind, job: h.job, trackId: t.id, attempt: h.attempt, taken: false });
  }
  return held;
}
