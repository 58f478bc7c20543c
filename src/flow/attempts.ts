// The attempts policy: after an attempt, another one with feedback or the end of the track;
// after a setback in the merge queue (a conflict, checks failing on the rebased head), back to
// the agent with feedback, conflicted, or failed; and what a retry resets. One rule for "may
// this track try again", used by the track loop, the merge queue and retry. Pure.

/** Exponential backoff with jitter: base * 2^(n-1), capped, times a factor in [0.5, 1]. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}

/** Whether a track that used `attempt` of `maxAttempts` may run its agent again. */
export function mayTryAgain(attempt: number, maxAttempts: number): boolean {
  return attempt < maxAttempts;
}

export type AfterFailure =
  /** The next attempt, after a backoff of `waitMs`. */
  | { kind: 'retry'; attempt: number; feedback: string; waitMs: number }
  | { kind: 'fail'; reason: string }
  /** The attempt was cut short before its agent finished: it runs again, using up nothing. */
  | { kind: 'again'; attempt: number; feedback: string | null };

/**
 * After an attempt failed (its agent, or the checks of its work): the next attempt with the
 * failure as feedback, or the end of the track when none remain. An attempt whose agent never
 * finished (its work was validated after an interruption) runs again with its own feedback.
 */
export function decideAfterFailure(input: {
  attempt: number;
  maxAttempts: number;
  finished: boolean;
  failure: string;
  feedback: string;
  replacedFeedback: string | null;
  backoff: { baseMs: number; maxMs: number; random?: () => number };
}): AfterFailure {
  if (!input.finished)
    return { kind: 'again', attempt: input.attempt, feedback: input.replacedFeedback };
  if (!mayTryAgain(input.attempt, input.maxAttempts))
    return {
      kind: 'fail',
      reason: `out of attempts (${input.maxAttempts}); last: ${input.failure}`,
    };
  const { baseMs, maxMs, random } = input.backoff;
  return {
    kind: 'retry',
    attempt: input.attempt + 1,
    feedback: input.feedback,
    waitMs: backoffMs(input.attempt, baseMs, maxMs, random),
  };
}

export type MergeSetback =
  | { kind: 'conflict'; paths: readonly string[] }
  /** The checks failed on the candidate (locally or on the forge), or changed tracked files. */
  | { kind: 'checks'; feedback: string; reason: string };

export type AfterSetback =
  /** Back to its agent: queued as attempt `attempt`, with this feedback. */
  | {
      kind: 'requeue';
      cause: 'conflict' | 'checks';
      attempt: number;
      feedback: string;
      reason: string;
    }
  | { kind: 'conflicted'; reason: string; paths: readonly string[] }
  | { kind: 'fail'; reason: string };

export function decideMergeSetback(
  setback: MergeSetback,
  policy: { attempt: number; maxAttempts: number; onConflict: 'mark' | 'agent'; target: string },
): AfterSetback {
  const again = mayTryAgain(policy.attempt, policy.maxAttempts);
  if (setback.kind === 'conflict') {
    const reason = `conflicts with ${policy.target} in ${setback.paths.join(', ') || '(unknown paths)'}`;
    if (policy.onConflict === 'agent' && again) {
      const feedback = `Rebasing onto ${policy.target} conflicted in: ${setback.paths.join(', ')}.\nRebase your branch onto ${policy.target} (git rebase ${policy.target}), resolve the conflicts keeping both changes' intent, and commit.`;
      return { kind: 'requeue', cause: 'conflict', attempt: policy.attempt + 1, feedback, reason };
    }
    return { kind: 'conflicted', reason, paths: setback.paths };
  }
  if (!again)
    return { kind: 'fail', reason: 'checks failed on the merged result and no attempts remain' };
  return {
    kind: 'requeue',
    cause: 'checks',
    attempt: policy.attempt + 1,
    feedback: `After rebasing onto ${policy.target}: ${setback.feedback}`,
    reason: setback.reason,
  };
}

/**
 * What a retry of a failed or conflicted track resets (a fresh set of attempts: the counter
 * goes to 0, the next attempt is 1) and what its agent is told.
 */
export function decideRetry(track: {
  state: 'failed' | 'conflicted';
  reason: string | null;
  lastFeedback: string | null;
}): { attempt: 0; feedback: string } {
  const why = (track.reason ?? 'no reason was recorded').replace(/\.$/, '');
  const feedback =
    track.state === 'conflicted'
      ? `Merging this track stopped: it ${why}.\nRebase your branch onto the target branch ($YM_TARGET: git rebase "$YM_TARGET"), resolve the conflicts keeping both changes' intent, and commit.`
      : `This track failed before it was retried: ${why}.\n${track.lastFeedback ? `\n${track.lastFeedback}\n\n` : ''}Fix what made it fail, and commit.`;
  return { attempt: 0, feedback };
}

export type AfterReject =
  { kind: 'requeue'; attempt: number; feedback: string } | { kind: 'fail'; reason: string };

/**
 * A reviewer rejected a ready track (`ym reject`): back to its agent as the next attempt with
 * the reason as feedback, exactly like failed checks, or the end of the track when none remain.
 */
export function decideReject(input: {
  attempt: number;
  maxAttempts: number;
  reason: string;
}): AfterReject {
  if (!mayTryAgain(input.attempt, input.maxAttempts)) {
    return {
      kind: 'fail',
      reason: `rejected with no attempts left (${input.maxAttempts}): ${input.reason}`,
    };
  }
  return {
    kind: 'requeue',
    attempt: input.attempt + 1,
    feedback: `A reviewer rejected your work: ${input.reason}\nChange it as asked, and commit.`,
  };
}
