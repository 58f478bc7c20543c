// The coordinator's side of a job: what a worker taking it, and its result, do to this
// state.db. Results are parsed (they come from another machine); a retry is decided here by
// flow/attempts.ts, as the local track loop decides it.
import { decideAfterFailure } from '../flow/attempts.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { MergeJobResult, TrackJobResult } from './jobs.js';
import { mirrorState } from './mirror.js';

/** A job the coordinator follows: one per track at a time. */
export interface Held {
  kind: 'track' | 'merge';
  job: string;
  trackId: string;
  attempt: number;
  taken: boolean;
  worker?: string;
}

export function applyTaken(env: RunEnv, h: Held, worker: string): void {
  const { store, config } = env;
  store.appendEvent({
    trackId: h.trackId,
    type: 'fleet.worker',
    data: { worker, job: h.job, step: h.kind, attempt: h.attempt },
  });
  if (h.kind === 'track')
    mirrorState(store, h.trackId, 'running', {
      reason: null,
      patch: { attempt: h.attempt, branch: branchFor(config, h.trackId) },
      data: { worker, job: h.job },
    });
  else mirrorState(store, h.trackId, 'merging', { reason: null, data: { worker, job: h.job } });
  env.report(
    h.trackId,
    `${h.kind === 'track' ? `attempt ${h.attempt}` : 'merge step'} taken by ${worker}`,
  );
}

/** Applies an attempt's result; returns the next attempt's delay when one follows. */
export function applyTrackResult(env: RunEnv, h: Held, raw: unknown): { delay: number } | null {
  const { store, config } = env;
  const parsed = TrackJobResult.safeParse(raw);
  if (!parsed.success) {
    mirrorState(store, h.trackId, 'failed', { reason: `unreadable result of job ${h.job}` });
    return null;
  }
  const r = parsed.data;
  if (r.kind === 'ready') {
    mirrorState(store, h.trackId, 'ready', {
      reason: null,
      data: { headSha: r.headSha, worker: r.worker, job: h.job },
    });
    env.report(h.trackId, `ready (${r.headSha.slice(0, 8)}) on ${r.worker}`);
    return null;
  }
  if (r.kind === 'cancelled') {
    mirrorState(store, h.trackId, 'cancelled', { reason: r.reason });
    return null;
  }
  if (r.feedback === null) {
    mirrorState(store, h.trackId, 'failed', { reason: r.reason });
    env.report(h.trackId, `failed: ${r.reason}`);
    env.notify?.({ event: 'failed', trackId: h.trackId, reason: r.reason, sha: null });
    return null;
  }
  const next = decideAfterFailure({
    attempt: h.attempt,
    maxAttempts: config.attempts,
    finished: true,
    failure: r.reason,
    feedback: r.feedback,
    replacedFeedback: null,
    backoff: { baseMs: config.retry.backoffMs, maxMs: config.retry.maxBackoffMs },
  });
  if (next.kind === 'retry') {
    store.atomically(() => {
      store.appendEvent({
        trackId: h.trackId,
        type: 'track.feedback',
        data: { text: next.feedback },
      });
      mirrorState(store, h.trackId, 'running', {
        reason: 'retrying',
        patch: { attempt: next.attempt },
      });
    });
    env.report(
      h.trackId,
      `attempt ${h.attempt} failed on ${r.worker}: ${r.reason}; attempt ${next.attempt} follows`,
    );
    return { delay: next.waitMs };
  }
  const reason = next.kind === 'fail' ? next.reason : r.reason;
  mirrorState(store, h.trackId, 'failed', { reason, data: { feedback: r.feedback } });
  env.report(h.trackId, `failed: ${reason}`);
  env.notify?.({ event: 'failed', trackId: h.trackId, reason, sha: null });
  return null;
}

export function applyMergeResult(env: RunEnv, h: Held, raw: unknown): void {
  const { store, config } = env;
  const parsed = MergeJobResult.safeParse(raw);
  if (!parsed.success) {
    mirrorState(store, h.trackId, 'ready', { reason: `unreadable result of job ${h.job}` });
    return;
  }
  const r = parsed.data;
  switch (r.state) {
    case 'merged':
      mirrorState(store, h.trackId, 'merged', {
        reason: null,
        patch: { mergedSha: r.mergedSha },
        data: { ...(r.landing ?? {}), worker: r.worker, job: h.job },
      });
      env.report(
        h.trackId,
        `merged into ${config.target} at ${(r.mergedSha ?? '').slice(0, 8)} by ${r.worker}`,
      );
      env.notify?.({ event: 'merged', trackId: h.trackId, reason: null, sha: r.mergedSha });
      return;
    case 'queued':
      // Back to its agent (checks failed on the rebased head, or a conflict handed back).
      store.atomically(() => {
        if (r.feedback)
          store.appendEvent({
            trackId: h.trackId,
            type: 'track.feedback',
            data: { text: r.feedback },
          });
        mirrorState(store, h.trackId, 'queued', {
          reason: r.reason,
          patch: { attempt: r.attempt },
        });
      });
      env.report(h.trackId, `back to its agent: ${r.reason ?? ''}`);
      return;
    case 'conflicted':
    case 'failed':
      mirrorState(store, h.trackId, r.state, { reason: r.reason });
      env.report(h.trackId, `${r.state}: ${r.reason ?? ''}`);
      env.notify?.({ event: r.state, trackId: h.trackId, reason: r.reason, sha: null });
      return;
    default:
      // Given back (the target moved, the queue paused, an approval missing): still ready.
      mirrorState(store, h.trackId, 'ready', { reason: r.reason });
      env.report(h.trackId, `merge step gave it back: ${r.reason ?? r.outcome}`);
  }
}
