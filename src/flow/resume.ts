// Deciding how a track's quality loop picks up after its process stopped (kill -9, Ctrl-C, a
// crash): from what was recorded of the track's last run, which attempt comes next, with which
// feedback, and whether the interrupted attempt's work is validated before any agent runs again.
// Pure: no process, no file, no clock.

/** What state.db recorded of one run (src/run/attempt-record.ts reads it). */
export interface RunFacts {
  attempt: number;
  state: 'running' | 'succeeded' | 'failed' | 'interrupted';
  /** The `attempt.started` event: the agent was about to start with this feedback, at this head. */
  started: { feedback: string | null; headBefore: string } | null;
  /** The `agent.exited` event: the agent ended by itself (not killed by us), with this verdict. */
  exited: { ok: boolean; reason: string; detail: string } | null;
}

export interface ResumeFacts {
  /** The track's attempt counter (0 after a retry reset it). */
  trackAttempt: number;
  /** Its newest run, if it has one. */
  last: RunFacts | null;
  /** Feedback left for the track's next agent start (the merge queue's, a retry's). */
  pending: string | null;
  /** The worktree's HEAD now, when it has one. */
  head: string | null;
  /** The track was interrupted while its checks ran (older state.db files record only this). */
  interruptedValidating: boolean;
}

export type ResumeDecision =
  /** Start attempt `attempt` with this feedback, as if for the first time. */
  | { kind: 'run'; attempt: number; feedback: string | null }
  /**
   * The interrupted attempt left work (its agent exited 0, or it committed): validate it before
   * any agent runs. `finished`: its agent had exited, so a failure of the checks counts as the
   * attempt's failure; otherwise the attempt was cut short and runs again with the same feedback.
   */
  | {
      kind: 'validate';
      attempt: number;
      feedback: string | null;
      headBefore: string | null;
      finished: boolean;
    }
  /** The interrupted attempt's agent had failed before the stop: that attempt is over. */
  | { kind: 'failed'; attempt: number; feedback: string | null; reason: string; detail: string };

export function decideResume(f: ResumeFacts): ResumeDecision {
  const attempt = Math.max(1, f.trackAttempt);
  const last = f.last && f.last.attempt === attempt ? f.last : null;
  // A run that never got to start its agent (stopped while provisioning, or during the backoff
  // before it): the attempt starts now, with what was left for it.
  if (!last || !last.started) {
    if (f.interruptedValidating)
      return { kind: 'validate', attempt, feedback: f.pending, headBefore: null, finished: true };
    return { kind: 'run', attempt, feedback: f.pending };
  }
  const { feedback, headBefore } = last.started;
  if (last.exited && !last.exited.ok)
    return {
      kind: 'failed',
      attempt,
      feedback,
      reason: last.exited.reason,
      detail: last.exited.detail,
    };
  if (last.exited) return { kind: 'validate', attempt, feedback, headBefore, finished: true };
  // Killed while its agent worked: what it had committed by then is looked at first.
  if (f.head !== null && f.head !== headBefore)
    return { kind: 'validate', attempt, feedback, headBefore, finished: false };
  return { kind: 'run', attempt, feedback };
}
