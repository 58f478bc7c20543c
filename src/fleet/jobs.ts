// What travels through Redis: plain, serialisable inputs (ids, SHAs, the feedback text; never
// a token, a URL or the user's environment) and plain results, parsed with zod when read back.
import { z } from 'zod';
import { TRACK_STATES } from '../state/lifecycle.js';

/**
 * A job's id names its key, so a job added twice runs once. BullMQ refuses ":" in custom ids,
 * so the parts are joined by "." (track ids never hold one): `<run>.<track>.<attempt>`.
 */
export function trackJobId(run: string, trackId: string, attempt: number): string {
  return `${run}.${trackId}.${attempt}`;
}

/** The n-th time the run offers this track (at this attempt) to the merge step. */
export function mergeJobId(run: string, trackId: string, attempt: number, n: number): string {
  return `${run}.${trackId}.${attempt}.merge${n}`;
}

export const TrackJobData = z.strictObject({
  run: z.string().min(1),
  trackId: z.string().min(1),
  attempt: z.number().int().min(1),
  /** What the attempt's agent reads as feedback (the last failure), or null. */
  feedback: z.string().nullable(),
  /** `--agent`, when the coordinator was given one. */
  agent: z.string().min(1).nullable(),
  fresh: z.boolean(),
});
export type TrackJobData = z.infer<typeof TrackJobData>;

export const TrackJobResult = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ready'),
    worker: z.string(),
    headSha: z.string().min(7),
  }),
  z.strictObject({
    kind: z.literal('failed'),
    worker: z.string(),
    reason: z.string(),
    /** The failure as the next attempt's agent reads it; null: nothing to retry (e.g. provisioning). */
    feedback: z.string().nullable(),
  }),
  z.strictObject({ kind: z.literal('cancelled'), worker: z.string(), reason: z.string() }),
]);
export type TrackJobResult = z.infer<typeof TrackJobResult>;

export const MergeJobData = z.strictObject({
  run: z.string().min(1),
  trackId: z.string().min(1),
  attempt: z.number().int().min(1),
  /** The validated head the track was offered with. */
  headSha: z.string().min(7),
});
export type MergeJobData = z.infer<typeof MergeJobData>;

export const MergeJobResult = z.strictObject({
  worker: z.string(),
  outcome: z.enum(['merged', 'conflicted', 'failed', 'requeued', 'waiting', 'skipped']),
  /** The track's state in the worker's mirror after the merge step. */
  state: z.enum(TRACK_STATES),
  reason: z.string().nullable(),
  attempt: z.number().int().min(1),
  /** requeued: what its agent reads next. */
  feedback: z.string().nullable(),
  /** merged: the target's new head, and the landing record (targetBefore, commits, ...). */
  mergedSha: z.string().nullable(),
  landing: z.record(z.string(), z.unknown()).nullable(),
});
export type MergeJobResult = z.infer<typeof MergeJobResult>;
