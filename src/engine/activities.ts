// The seam between deciding and doing. Every step that touches the world (a worktree, an
// agent, the checks, the target) is an activity: plain inputs (ids, SHAs, paths, the feedback
// text) plus the run's environment, an AbortSignal, and a plain result; none of them moves a
// track (no transition()). The decisions about their results live in src/flow/, pure. An
// engine runs the loop: today the local one (src/engine/track-loop.ts, scheduler.ts,
// merge-queue.ts: p-queue and the queue's drain in one process) calls these directly and
// applies the transitions where the decision is taken; a BullMQ engine runs the same functions
// in its workers' job processors, keyed `<run>:<track>:<attempt>` (docs/architecture.md).
import { cleanupAfterMerge } from '../merge/cleanup.js';
import { tryLanding } from '../merge/try-landing.js';
import { collectWork, runAttempt } from '../run/attempt.js';
import { validateWork } from '../run/validate.js';
import { buildSpeculative, checkSpeculative } from '../merge/speculate.js';
import { provisionWorktree } from '../worktrees/provision.js';
import { queueWorktree } from '../worktrees/queue-pool.js';

export interface Activities {
  /** Idempotent on the track: resumes the worktree it has, recycles, or adds one. */
  provision: typeof provisionWorktree;
  /** One agent attempt, keyed (track, attempt): records attempt.started / agent.exited. */
  attempt: typeof runAttempt;
  /** What a finished agent left, judged and committed: idempotent on the worktree. */
  collect: typeof collectWork;
  /** The checks on the attempt's head: repeatable. */
  validate: typeof validateWork;
  /** One try at landing: a compare-and-swap, so a candidate lands at most once. */
  tryLanding: typeof tryLanding;
  /** After a landing: branch and worktree clean-up; never removes uncommitted work. */
  cleanup: typeof cleanupAfterMerge;
  /** The speculative window's pool worktree for a slot: made once, then reused. */
  queueWorktree: typeof queueWorktree;
  /** A window candidate built in a pool worktree, on a given base; moves no branch. */
  buildCandidate: typeof buildSpeculative;
  /** The checks on a window candidate: a report only when it stands for exactly that commit. */
  checkCandidate: typeof checkSpeculative;
}

export const activities: Activities = {
  provision: provisionWorktree,
  attempt: runAttempt,
  collect: collectWork,
  validate: validateWork,
  tryLanding,
  cleanup: cleanupAfterMerge,
  queueWorktree,
  buildCandidate: buildSpeculative,
  checkCandidate: checkSpeculative,
};
