// The quality loop of one track: claim it, give it a worktree, then attempt after attempt run the
// agent and the checks, feeding failures back, until it is ready, out of attempts, cancelled or
// interrupted. Every step is a state transition (with its event) in the store.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { looseRef } from '../git/files.js';
import { revParse } from '../git/worktrees.js';
import { YmError } from '../core/errors.js';
import type { AgentDefinition } from '../agents/registry.js';
import { runChecks } from '../checks/run.js';
import { StateConflictError } from '../state/errors.js';
import type { TrackState } from '../state/lifecycle.js';
import type { RunRow } from '../state/rows.js';
import { parseTrackFile, trackDir } from '../tracks/files.js';
import { runAttempt, type AttemptOutcome } from './attempt.js';
import { branchFor, type RunEnv } from './env.js';
import { attemptFeedback, checksFeedback } from './feedback.js';
import { provisionWorktree } from './provision.js';
import { backoffMs, sleep } from './sleep.js';

export type TrackOutcome = 'ready' | 'failed' | 'interrupted' | 'cancelled' | 'skipped';

const STARTABLE: readonly TrackState[] = ['queued', 'interrupted'];
const LEASE_POLL_MS = 1_000;

export async function runTrack(env: RunEnv, trackId: string, agent: AgentDefinition, base: string): Promise<TrackOutcome> {
  const { store, config, holder } = env;
  const track = store.getTrack(trackId);
  if (!track || !STARTABLE.includes(track.state)) return 'skipped';
  const resumeValidation = track.state === 'interrupted' && track.reason === INTERRUPTED_VALIDATING;
  let resumed = track.state === 'interrupted';
  let attempt = Math.max(1, track.attempt || 1);
  // This track's file only: implement validated them all at start (50 tracks reading all 50
  // was 2,500 parses).
  const trackFile = path.join(trackDir(env.repo.root, trackId), 'track.json');
  const scope = existsSync(trackFile) ? parseTrackFile(readFileSync(trackFile, 'utf8'), trackFile, trackId).scope : undefined;
  // Feedback left for this track since its last run (the merge queue's conflict or failed checks).
  let feedback: string | null = pendingFeedback(env, trackId);
  let lastFailure = '';
  let skipAgent = resumeValidation;
  const newRun = () => store.startRun({ trackId, attempt, agent: agent.name, logDir: path.join(env.logsDir, trackId), pid: holder.pid, host: holder.host });
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
  for (;;) {
    const logFile = run.logPath!;
    const lease = new Lease(env, trackId, run.id);
    try {
      const state = store.getTrack(trackId)!.state;
      if (state === 'provisioning' || state === 'interrupted') {
        env.report(trackId, `provisioning worktree (${branchFor(config, trackId)})`);
        let worktree: string;
        try {
          const p = await provisionWorktree(env, store.getTrack(trackId)!, base);
          worktree = p.path;
          env.report(trackId, `worktree ${p.how}: ${p.path}`);
        } catch (err) {
          if (env.ctx.signal.aborted) return stop(env, trackId, run.id, 'interrupted', 'interrupted while provisioning');
          const reason = err instanceof YmError ? err.message : String(err);
          finish(env, trackId, run.id, 'failed', reason, () => store.transition(trackId, 'failed', { from: 'provisioning', reason, runId: run.id }));
          env.report(trackId, `failed: ${reason}`);
          return 'failed';
        }
        store.transition(trackId, 'running', { from: 'provisioning', runId: run.id, patch: { worktree, branch: branchFor(config, trackId), agent: agent.name, attempt } });
      } else if (state === 'running') {
        store.patchTrack(trackId, { attempt, agent: agent.name });
      } else {
        store.transition(trackId, 'running', { from: 'validating', runId: run.id, patch: { attempt, agent: agent.name } });
      }
      const worktree = store.getTrack(trackId)!.worktree!;
      let outcome: AttemptOutcome;
      if (skipAgent) {
        outcome = { kind: 'done', runId: run.id, commits: 0 };
        skipAgent = false;
      } else {
        env.report(trackId, `running attempt ${attempt}/${config.attempts} (${agent.name})`);
        outcome = await runAttempt(env, { track: store.getTrack(trackId)!, worktree, attempt, agent, feedback, scope, runId: run.id, logFile, cancel: lease.cancelled, resumed });
        resumed = false;
      }
      if (outcome.kind === 'interrupted') return stop(env, trackId, run.id, 'interrupted', 'interrupted while running');
      if (outcome.kind === 'cancelled') return stop(env, trackId, run.id, 'cancelled', 'cancelled by request');
      if (outcome.kind === 'failed') {
        feedback = attemptFeedback(outcome.reason, outcome.detail);
        lastFailure = outcome.reason;
        env.report(trackId, `attempt ${attempt} failed: ${outcome.reason}`);
      } else {
        store.transition(trackId, 'validating', { from: 'running', runId: run.id });
        env.report(trackId, 'validating');
        const checks = { cwd: worktree, trackId, target: config.target, logFile, signal: AbortSignal.any([env.ctx.signal, lease.cancelled]) };
        // The target branch's commit (never a tag of the same name), from its loose ref when it
        // has one: a git process per track saved.
        const targetRef = `refs/heads/${config.target}`;
        const targetSha = looseRef(env.repo.commonDir, targetRef) ?? (await revParse(env.git, targetRef, worktree).catch(() => undefined));
        const report = await runChecks(env.ctx, outcome.head ? { ...checks, resolved: { head: outcome.head, targetSha } } : checks, config);
        store.appendEvent({ trackId, runId: run.id, type: 'checks.finished', data: { ok: report.ok, headSha: report.headSha, results: report.results } });
        if (env.ctx.signal.aborted) return stop(env, trackId, run.id, 'interrupted', INTERRUPTED_VALIDATING);
        if (lease.cancelled.aborted) return stop(env, trackId, run.id, 'cancelled', 'cancelled by request');
        if (report.ok) {
          store.atomically(() => {
            store.finishRun(run.id, { state: 'succeeded', exitCode: 0 });
            store.transition(trackId, 'ready', { from: 'validating', runId: run.id, data: { headSha: report.headSha } });
          });
          env.report(trackId, `ready (${report.headSha.slice(0, 8)})`);
          return 'ready';
        }
        const failedChecks = report.results.filter((r) => r.level === 'fail' && (r.status === 'fail' || r.status === 'error')).map((r) => r.name);
        feedback = checksFeedback(report);
        lastFailure = `checks failed: ${failedChecks.join(', ')}`;
        env.report(trackId, `attempt ${attempt} failed checks: ${failedChecks.join(', ')}`);
      }
      if (attempt >= config.attempts) {
        const reason = `out of attempts (${config.attempts}); last: ${lastFailure}`;
        const from = store.getTrack(trackId)!.state;
        // What the last attempt's agent would have been told, kept for a retry (src/manage/retry.ts).
        const data = feedback ? { feedback } : {};
        finish(env, trackId, run.id, 'failed', lastFailure, () => store.transition(trackId, 'failed', { from, reason, runId: run.id, data }));
        env.report(trackId, `failed: ${reason}`);
        return 'failed';
      }
      const wait = backoffMs(attempt, config.retry.backoffMs, config.retry.maxBackoffMs);
      if (store.getTrack(trackId)!.state === 'validating') store.transition(trackId, 'running', { from: 'validating', runId: run.id, reason: 'retrying' });
      // The failed run stays open (its lease held) through the backoff, so an active track always
      // has a running run: a crash here is found and resumed like any other.
      await sleep(wait, env.ctx.signal);
      const failed = run.id;
      if (env.ctx.signal.aborted) {
        finish(env, trackId, failed, 'failed', lastFailure, () => store.transition(trackId, 'interrupted', { reason: 'interrupted between attempts', runId: failed }));
        return 'interrupted';
      }
      attempt += 1;
      run = store.atomically(() => {
        store.finishRun(failed, { state: 'failed', reason: lastFailure });
        return newRun();
      });
    } finally {
      lease.stop();
    }
  }
}

export function pendingFeedback(env: Pick<RunEnv, 'store'>, trackId: string): string | null {
  let text: string | null = null;
  for (const e of env.store.listEvents({ trackId })) {
    // Delivered once an agent started with it (the track went to `running`); a run stopped
    // before that (Ctrl-C or a kill while provisioning) leaves it for the next one.
    if (e.type === 'track.state' && (e.data as { to?: string } | null)?.to === 'running') text = null;
    else if (e.type === 'track.feedback') text = (e.data as { text?: string } | null)?.text ?? null;
  }
  return text;
}

export const INTERRUPTED_VALIDATING = 'interrupted while validating';

/** Closes the run and moves the track on in one transaction (see the claim in runTrack). */
function finish(env: RunEnv, trackId: string, runId: number, state: 'failed' | 'interrupted', reason: string, move: () => void): void {
  env.store.atomically(() => {
    if (env.store.getRun(runId)?.state === 'running') env.store.finishRun(runId, { state, reason });
    move();
  });
}

function stop(env: RunEnv, trackId: string, runId: number, to: 'interrupted' | 'cancelled', reason: string): TrackOutcome {
  finish(env, trackId, runId, 'interrupted', reason, () => env.store.transition(trackId, to, { reason, runId }));
  env.report(trackId, to === 'cancelled' ? 'cancelled' : reason);
  return to;
}

/** Renews the run's lease and watches for a cancel request while the run lasts. */
class Lease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private seen: number;
  constructor(
    private readonly env: RunEnv,
    private readonly trackId: string,
    private readonly runId: number,
  ) {
    this.seen = env.store.lastEventId();
    this.timer = setInterval(() => this.tick(), LEASE_POLL_MS);
    this.timer.unref();
  }
  get cancelled(): AbortSignal {
    return this.controller.signal;
  }
  private tick(): void {
    try {
      this.env.store.heartbeat(this.runId);
      for (const e of this.env.store.listEvents({ trackId: this.trackId, afterId: this.seen })) {
        this.seen = e.id;
        if (e.type === 'request.cancel') this.controller.abort();
      }
    } catch {
      // A busy database for a moment is not a reason to stop; the next tick tries again.
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
}
