// Errors raised by the state store when a write does not match the state it expected.

import { ExitCode, YmError } from '../core/errors.js';
import type { TrackState } from './lifecycle.js';

/**
 * Compare-and-swap failed: the row is not in the state the caller expected, usually because another
 * process moved it first. The caller re-reads and decides; nothing was written.
 */
export class StateConflictError extends YmError {
  readonly subject: string;
  readonly expected: readonly string[];
  readonly actual: string;
  constructor(subject: string, expected: readonly string[], actual: string) {
    super(
      `${subject} is ${quote(actual)}, expected ${expected.map(quote).join(' or ')}; another yardmaster process may have changed it.`,
      ExitCode.failed,
      { hint: 'Check `yardmaster status` and retry.' },
    );
    this.subject = subject;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The lifecycle does not allow this move (see ALLOWED_TRANSITIONS). */
export class InvalidTransitionError extends YmError {
  readonly trackId: string;
  readonly from: TrackState;
  readonly to: TrackState;
  constructor(trackId: string, from: TrackState, to: TrackState, allowed: readonly TrackState[]) {
    const hint =
      allowed.length > 0
        ? `From ${quote(from)} it can go to: ${allowed.join(', ')}.`
        : 'It is final.';
    super(`Track ${trackId} cannot go from ${quote(from)} to ${quote(to)}.`, ExitCode.failed, {
      hint,
    });
    this.trackId = trackId;
    this.from = from;
    this.to = to;
  }
}

function quote(s: string): string {
  return `"${s}"`;
}
