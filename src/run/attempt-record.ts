// What an attempt leaves in state.db so that a later process can pick it up where it stopped:
// `attempt.started` (the feedback its agent was given and the head it started from) just before
// the agent starts, and `agent.exited` (the verdict on its exit) as soon as the agent ends by
// itself. The resume decision (src/flow/resume.ts) reads them back.
import { existsSync } from 'node:fs';
import { headOf } from '../git/files.js';
import type { ResumeFacts, RunFacts } from '../flow/resume.js';
import type { StateStore } from '../state/store.js';
import type { EventRow, RunRow } from '../state/rows.js';
import type { PastSession } from '../flow/session.js';
import { usagePerRun } from '../core/usage.js';

export const ATTEMPT_STARTED = 'attempt.started';
export const AGENT_EXITED = 'agent.exited';

/** At most this much of an agent's last output is kept with its exit (the rest is in the run log). */
const MAX_DETAIL = 8_000;

export function recordAttemptStarted(
  store: StateStore,
  trackId: string,
  runId: number,
  data: { attempt: number; feedback: string | null; headBefore: string },
): void {
  store.appendEvent({ trackId, runId, type: ATTEMPT_STARTED, data });
}

export function recordAgentExited(
  store: StateStore,
  trackId: string,
  runId: number,
  verdict: { ok: boolean; reason: string; detail: string },
): void {
  store.appendEvent({
    trackId,
    runId,
    type: AGENT_EXITED,
    data: { ...verdict, detail: verdict.detail.slice(-MAX_DETAIL) },
  });
}

/** What was recorded of a run (its events in one pass over the track's events). */
export function runFacts(run: RunRow, events: readonly EventRow[]): RunFacts {
  let started: RunFacts['started'] = null;
  let exited: RunFacts['exited'] = null;
  for (const e of events) {
    if (e.runId !== run.id) continue;
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (e.type === ATTEMPT_STARTED)
      started = {
        feedback: typeof d.feedback === 'string' ? d.feedback : null,
        headBefore: String(d.headBefore ?? ''),
      };
    else if (e.type === AGENT_EXITED)
      exited = {
        ok: d.ok === true,
        reason: String(d.reason ?? ''),
        detail: String(d.detail ?? ''),
      };
  }
  return { attempt: run.attempt, state: run.state, started, exited };
}

/**
 * `head`: the worktree's HEAD now (the caller asks git when the ref files cannot say: a packed
 * ref, a reftable repository); when not given, it is read from the ref files.
 */
export function resumeFacts(
  store: StateStore,
  trackId: string,
  opts: { worktree: string | null; interruptedValidating: boolean; head?: string | null },
): ResumeFacts {
  const track = store.getTrack(trackId);
  const events = store.listEvents({ trackId });
  const attempt = Math.max(1, track?.attempt ?? 0);
  // Only runs since the track was last queued count: a retry (or the queue handing it back)
  // starts its attempts afresh, and a run of an earlier round is not this attempt.
  const queuedAt =
    events.findLast(
      (e) => e.type === 'track.state' && (e.data as { to?: string } | null)?.to === 'queued',
    )?.id ?? 0;
  const startedAt = new Map(
    events.filter((e) => e.type === 'run.started' && e.runId !== null).map((e) => [e.runId!, e.id]),
  );
  const runs = store
    .listRuns(trackId)
    .filter((r) => (startedAt.get(r.id) ?? 0) > queuedAt)
    .sort((a, b) => b.id - a.id);
  // The run in which the current attempt's agent started: a later run of the same attempt may
  // only have validated its work (and been interrupted in turn) without starting an agent.
  const facts = runs.filter((r) => r.attempt === attempt).map((r) => runFacts(r, events));
  const last = facts.find((f) => f.started) ?? (runs[0] ? runFacts(runs[0], events) : null);
  return {
    trackAttempt: track?.attempt ?? 0,
    last,
    pending: pendingFeedbackIn(events),
    head:
      opts.head !== undefined
        ? opts.head
        : opts.worktree && existsSync(opts.worktree)
          ? headOf(opts.worktree)
          : null,
    interruptedValidating: opts.interruptedValidating,
  };
}

/**
 * Feedback left for the track's next agent (the merge queue's conflict or failed checks, a
 * retry's reason, the last failed attempt's). Delivered once an agent started with it (its
 * `attempt.started` event); a run stopped before that (Ctrl-C or a kill while provisioning, in
 * the backoff, or while the prompt was written) leaves it for the next one.
 */
export function pendingFeedbackIn(events: readonly EventRow[]): string | null {
  let text: string | null = null;
  for (const e of events) {
    if (e.type === ATTEMPT_STARTED) text = null;
    else if (e.type === 'track.feedback') text = (e.data as { text?: string } | null)?.text ?? null;
  }
  return text;
}

/**
 * The track's agent sessions, the most recent first: each run's session id (from its usage
 * records) with the agent that ran it, and what the session used over all its runs.
 */
export function pastSessions(store: StateStore, trackId: string): PastSession[] {
  const agents = new Map(store.listRuns(trackId).map((r) => [r.id, r.agent]));
  const runs = usagePerRun(store.listUsageEvents().filter((e) => e.trackId === trackId)).filter(
    (r) => r.sessionId !== undefined,
  );
  const out = new Map<string, PastSession>();
  for (const r of [...runs].reverse()) {
    const id = r.sessionId!;
    const known = out.get(id);
    if (known) {
      known.before = sumFigures(known.before, r);
      continue;
    }
    out.set(id, { agent: agents.get(r.runId) ?? '', sessionId: id, before: sumFigures({}, r) });
  }
  return [...out.values()];
}

function sumFigures(a: PastSession['before'], b: PastSession['before']): PastSession['before'] {
  const out: PastSession['before'] = { ...a };
  for (const k of [
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'cacheWriteTokens',
    'costUsd',
  ] as const) {
    const v = b[k];
    if (v !== undefined) out[k] = (out[k] ?? 0) + v;
  }
  return out;
}
