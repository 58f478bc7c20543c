// The quality loop of one track: claim it, give it a worktree, then attempt after attempt run the
// agent and the checks, feeding failures back, until it is ready, out of attempts, cancelled or
// interrupted. Every step is a state transition (with its event) in the store.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { YmError } from '../core/errors.js';
import type { AgentDefinition } from '../agents/registry.js';
import { StateConflictError } from '../state/errors.js';
import type { TrackState } from '../state/lifecycle.js';
import type { RunRow } from '../state/rows.js';
import { parseTrackFile, trackDir } from '../tracks/files.js';
import type { AttemptOutcome } from '../run/attempt.js';
import { activities } from './activities.js';
import { pastSessions, pendingFeedbackIn, resumeFacts } from '../run/attempt-record.js';
import { decideSession } from '../flow/session.js';
import { resumeCommand } from '../agents/resume.js';
import { decideResume, type ResumeDecision } from '../flow/resume.js';
import { decideAfterFailure } from '../flow/attempts.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { attemptFeedback, checksFeedback } from '../flow/feedback.js';
import { sleep } from '../runtime/sleep.js';
import { RunLease } from '../runtime/leases.js';
import { headOf } from '../git/files.js';
import { revParse } from '../git/worktrees.js';
import { describeOverrun, type Overrun } from '../flow/budget.js';
import type { RunBudget } from './budget.js';

export type TrackOutcome = 'ready' | 'failed' | 'interrupted' | 'cancelled' | 'skipped';

const STARTABLE: readonly TrackState[] = ['queued', 'interrupted'];

/** Why a track is interrupted when the run's budget stopped it. */
export const INTERRUPTED_BUDGET = 'interrupted: the run budget is spent';

export interface TrackRunOptions {
  /** The run's budget: checked before each attempt, fed the attempts' live usage. */
  budget?: RunBudget | undefined;
  /** `implement --fresh`: every agent starts with the full prompt, no session is continued. */
  fresh?: boolean | undefined;
}

export async function runTrack(
  env: RunEnv,
  trackId: string,
  agent: AgentDefinition,
  base: string,
  opts: TrackRunOptions = {},
): Promise<TrackOutcome> {
  const { budget } = opts;
  const { store, config, holder } = env;
  const track = store.getTrack(trackId);
  if (!track || !STARTABLE.includes(track.state)) return 'skipped';
  // This track's file only: implement validated them all at start (50 tracks reading all 50
  // was 2,500 parses).
  const trackFile = path.join(trackDir(env.repo.root, trackId), 'track.json');
  const scope = existsSync(trackFile)
    ? parseTrackFile(readFileSync(trackFile, 'utf8'), trackFile, trackId).scope
    : undefined;
  // Where it picks up: a queued track starts its attempt with the feedback left for it (the
  // merge queue's conflict or failed checks, a retry's); an interrupted one continues the
  // attempt that was stopped, with that attempt's own feedback, and validates what its agent
  // had done before running any agent again (src/flow/resume.ts).
  const decision: ResumeDecision =
    track.state === 'interrupted'
      ? decideResume(
          resumeFacts(store, trackId, {
            worktree: track.worktree,
            interruptedValidating: track.reason === INTERRUPTED_VALIDATING,
            head: await branchHead(env, track),
          }),
        )
      : {
          kind: 'run',
          attempt: Math.max(1, track.attempt),
          feedback: pendingFeedback(env, trackId),
        };
  let attempt = decision.attempt;
  /** What this attempt's agent is (or was) given. */
  let feedback = decision.feedback;
  let step: ResumeDecision['kind'] = decision.kind;
  /** Where this attempt's work starts (set when an interrupted attempt is picked up). */
  let since = decision.kind === 'validate' ? decision.headBefore : null;
  /** Whether this attempt's agent has finished: its failure then uses up the attempt. */
  let finished = decision.kind !== 'validate' || decision.finished;
  const newRun = () =>
    store.startRun({
      trackId,
      attempt,
      agent: agent.name,
      logDir: path.join(env.logsDir, trackId),
      pid: holder.pid,
      host: holder.host,
    });
  // Claim it (compare-and-swap, so two processes never run the same track) together with the
  // run that holds it: an active track always has an open run, even between two statements,
  // so recovery can tell a dead claim from a live one at once.
  let run: RunRow;
  try {
    run = store.atomically(() => {
      store.transition(trackId, 'provisioning', { from: track.state, reason: null });
      return newRun();
    });
  } catch (err) {
    if (err instanceof StateConflictError) return 'skipped';
    throw err;
  }
  /** The backoff before the next attempt, waited under that attempt's own lease. */
  let wait = 0;
  // One lease for the whole loop, renewed for whichever run holds the track: a cancel request
  // made between two runs is still seen.
  const lease = new RunLease(env, trackId, run.id);
  /** Stopped while its agent ran (Ctrl-C, kill, or the run's budget spent). */
  const interruptedRunning = () =>
    stop(
      env,
      trackId,
      run.id,
      'interrupted',
      budget?.runOver ? INTERRUPTED_BUDGET : 'interrupted while running',
    );
  for (;;) {
    const logFile = run.logPath!;
    lease.switchTo(run.id);
    /** Set when the loop goes round again: every other way out ends the lease. */
    let again = false;
    try {
      if (wait > 0) {
        await sleep(wait, AbortSignal.any([env.ctx.signal, lease.cancelled]));
        wait = 0;
        if (env.ctx.signal.aborted)
          return stop(env, trackId, run.id, 'interrupted', 'interrupted between attempts');
        if (lease.cancelled.aborted)
          return stop(env, trackId, run.id, 'cancelled', 'cancelled by request');
      }
      const state = store.getTrack(trackId)!.state;
      if (state === 'provisioning' || state === 'interrupted') {
        env.report(trackId, `provisioning worktree (${branchFor(config, trackId)})`);
        let worktree: string;
        try {
          const p = await activities.provision(env, store.getTrack(trackId)!, base);
          worktree = p.path;
          env.report(trackId, `worktree ${p.how}: ${p.path}`);
        } catch (err) {
          if (env.ctx.signal.aborted)
            return stop(env, trackId, run.id, 'interrupted', 'interrupted while provisioning');
          const reason = err instanceof YmError ? err.message : String(err);
          finish(env, trackId, run.id, 'failed', reason, () =>
            store.transition(trackId, 'failed', { from: 'provisioning', reason, runId: run.id }),
          );
          env.report(trackId, `failed: ${reason}`);
          env.notify?.({ event: 'failed', trackId, reason, sha: null });
          return 'failed';
        }
        store.transition(trackId, 'running', {
          from: 'provisioning',
          runId: run.id,
          patch: { worktree, branch: branchFor(config, trackId), agent: agent.name, attempt },
        });
      } else if (state === 'running') {
        store.patchTrack(trackId, { attempt, agent: agent.name });
      } else {
        store.transition(trackId, 'running', {
          from: 'validating',
          runId: run.id,
          patch: { attempt, agent: agent.name },
        });
      }
      const worktree = store.getTrack(trackId)!.worktree!;
      let outcome: AttemptOutcome;
      if (step === 'validate') {
        // The interrupted attempt's agent had exited 0 or committed: its work is judged first.
        env.report(trackId, `validating the work of interrupted attempt ${attempt}`);
        const from =
          since ??
          (await env.git(['merge-base', `refs/heads/${config.target}`, 'HEAD'], { cwd: worktree }));
        since = from;
        outcome = await activities.collect(env, {
          track: store.getTrack(trackId)!,
          worktree,
          attempt,
          agent,
          runId: run.id,
          since: from,
          detail: '',
        });
      } else if (step === 'failed' && decision.kind === 'failed') {
        outcome = {
          kind: 'failed',
          runId: run.id,
          reason: decision.reason,
          detail: decision.detail,
        };
      } else {
        // The budget, before an agent starts: a track over its ceiling fails, a run over its own stops.
        const verdict = budget?.check(trackId);
        if (verdict?.kind === 'track-over')
          return failForBudget(env, trackId, run.id, budget?.trackOver(trackId) ?? verdict);
        if (env.ctx.signal.aborted) return interruptedRunning();
        // Its own conversation continues where the agent can (src/flow/session.ts).
        const sessions = pastSessions(store, trackId);
        const session = decideSession({
          agent: agent.name,
          enabled: agent.resume !== false,
          fresh: opts.fresh === true,
          supported:
            sessions[0] !== undefined && resumeCommand(agent, sessions[0].sessionId) !== null,
          sessions,
        });
        if (session.kind === 'fresh' && session.why)
          env.report(trackId, `starting afresh (${session.why})`);
        env.report(
          trackId,
          `running attempt ${attempt}/${config.attempts} (${agent.name}${session.kind === 'resume' ? `, continuing session ${session.sessionId}` : ''})`,
        );
        const runId = run.id;
        outcome = await activities.attempt(env, {
          track: store.getTrack(trackId)!,
          worktree,
          attempt,
          agent,
          feedback,
          scope,
          runId,
          logFile,
          cancel: budget
            ? AbortSignal.any([lease.cancelled, budget.trackSignal(trackId)])
            : lease.cancelled,
          since,
          session:
            session.kind === 'resume' ? { id: session.sessionId, before: session.before } : null,
          ...(budget ? { onUsage: (u) => budget.update(trackId, runId, u) } : {}),
        });
        finished = true;
      }
      if (outcome.kind === 'interrupted') return interruptedRunning();
      const overrun = budget?.trackOver(trackId);
      if (outcome.kind === 'cancelled' && overrun && !lease.cancelled.aborted)
        return failForBudget(env, trackId, run.id, overrun);
      if (outcome.kind === 'cancelled')
        return stop(env, trackId, run.id, 'cancelled', 'cancelled by request');
      let failure: { reason: string; feedback: string };
      if (outcome.kind === 'failed') {
        failure = {
          reason: outcome.reason,
          feedback: attemptFeedback(outcome.reason, outcome.detail),
        };
        env.report(trackId, `attempt ${attempt} failed: ${outcome.reason}`);
      } else {
        store.transition(trackId, 'validating', { from: 'running', runId: run.id });
        env.report(trackId, 'validating');
        const report = await activities.validate(env, {
          trackId,
          runId: run.id,
          worktree,
          head: outcome.head,
          logFile,
          signal: AbortSignal.any([env.ctx.signal, lease.cancelled]),
        });
        if (env.ctx.signal.aborted)
          return stop(env, trackId, run.id, 'interrupted', INTERRUPTED_VALIDATING);
        if (lease.cancelled.aborted)
          return stop(env, trackId, run.id, 'cancelled', 'cancelled by request');
        if (report.ok) {
          store.atomically(() => {
            store.finishRun(run.id, { state: 'succeeded', exitCode: 0 });
            store.transition(trackId, 'ready', {
              from: 'validating',
              runId: run.id,
              data: { headSha: report.headSha },
            });
          });
          env.report(trackId, `ready (${report.headSha.slice(0, 8)})`);
          return 'ready';
        }
        const failedChecks = report.results
          .filter((r) => r.level === 'fail' && (r.status === 'fail' || r.status === 'error'))
          .map((r) => r.name);
        failure = {
          reason: `checks failed: ${failedChecks.join(', ')}`,
          feedback: checksFeedback(report),
        };
        env.report(trackId, `attempt ${attempt} failed checks: ${failedChecks.join(', ')}`);
      }
      const next = decideAfterFailure({
        attempt,
        maxAttempts: config.attempts,
        finished,
        failure: failure.reason,
        feedback: failure.feedback,
        replacedFeedback: feedback,
        backoff: { baseMs: config.retry.backoffMs, maxMs: config.retry.maxBackoffMs },
      });
      if (next.kind === 'fail') {
        const from = store.getTrack(trackId)!.state;
        // What the last attempt's agent would have been told, kept for a retry (src/manage/retry.ts).
        finish(env, trackId, run.id, 'failed', failure.reason, () =>
          store.transition(trackId, 'failed', {
            from,
            reason: next.reason,
            runId: run.id,
            data: { feedback: failure.feedback },
          }),
        );
        env.report(trackId, `failed: ${next.reason}`);
        env.notify?.({ event: 'failed', trackId, reason: next.reason, sha: null });
        return 'failed';
      }
      if (store.getTrack(trackId)!.state === 'validating')
        store.transition(trackId, 'running', {
          from: 'validating',
          runId: run.id,
          reason: next.kind === 'again' ? 'running the interrupted attempt again' : 'retrying',
        });
      if (next.kind === 'again') {
        // The interrupted attempt's agent never finished, and what it had done does not pass:
        // it runs again as the same attempt, with its own feedback, using up nothing.
        env.report(
          trackId,
          `attempt ${attempt} was cut short and its work does not pass (${failure.reason}); running it again`,
        );
        step = 'run';
        again = true;
        continue;
      }
      // The failed run closes, and the next attempt's run opens with its feedback recorded, in
      // one transaction: a crash during the backoff resumes as the next attempt, with that
      // feedback (never the failed attempt again, never without it).
      const failed = run.id;
      attempt = next.attempt;
      feedback = next.feedback;
      run = store.atomically(() => {
        store.finishRun(failed, { state: 'failed', reason: failure.reason });
        store.appendEvent({
          trackId,
          runId: failed,
          type: 'track.feedback',
          data: { text: next.feedback },
        });
        store.patchTrack(trackId, { attempt });
        return newRun();
      });
      step = 'run';
      since = null;
      wait = next.waitMs;
      again = true;
    } finally {
      if (!again) lease.stop();
    }
  }
}

export function pendingFeedback(env: Pick<RunEnv, 'store'>, trackId: string): string | null {
  return pendingFeedbackIn(env.store.listEvents({ trackId }));
}

export const INTERRUPTED_VALIDATING = 'interrupted while validating';

/** Closes the run and moves the track on in one transaction (see the claim in runTrack). */
function finish(
  env: RunEnv,
  trackId: string,
  runId: number,
  state: 'failed' | 'interrupted',
  reason: string,
  move: () => void,
): void {
  env.store.atomically(() => {
    if (env.store.getRun(runId)?.state === 'running') env.store.finishRun(runId, { state, reason });
    move();
  });
}

/** A track whose attempts reached its ceiling: failed with reason `budget`, its worktree kept. */
function failForBudget(env: RunEnv, trackId: string, runId: number, over: Overrun): TrackOutcome {
  const from = env.store.getTrack(trackId)!.state;
  finish(env, trackId, runId, 'failed', 'budget', () =>
    env.store.transition(trackId, 'failed', {
      from,
      reason: 'budget',
      runId,
      data: { budget: over },
    }),
  );
  env.report(trackId, `failed: budget (${describeOverrun(over)})`);
  env.notify?.({
    event: 'budget',
    trackId,
    reason: `track budget: ${describeOverrun(over)}`,
    sha: null,
  });
  return 'failed';
}

function stop(
  env: RunEnv,
  trackId: string,
  runId: number,
  to: 'interrupted' | 'cancelled',
  reason: string,
): TrackOutcome {
  finish(env, trackId, runId, 'interrupted', reason, () =>
    env.store.transition(trackId, to, { reason, runId }),
  );
  env.report(trackId, to === 'cancelled' ? 'cancelled' : reason);
  return to;
}

/** The head an interrupted track's work is on: its worktree's HEAD, else its branch's. */
async function branchHead(
  env: RunEnv,
  track: { worktree: string | null; branch: string | null },
): Promise<string | null> {
  if (track.worktree && existsSync(track.worktree)) {
    return (
      headOf(track.worktree) ?? (await revParse(env.git, 'HEAD', track.worktree).catch(() => null))
    );
  }
  return track.branch
    ? await revParse(env.git, `refs/heads/${track.branch}`).catch(() => null)
    : null;
}
