// The approval gate's decisions: whether a ready track may enter the merge queue now, given who
// approved which SHA, what its head is, and whether its diff changes what yardmaster or CI runs
// (a command-bearing change always needs a human's approval of that exact SHA, whatever
// merge.requireApproval says; --yes and CI approve nothing). Pure.

export const APPROVED = 'track.approved';
export const REJECTED = 'track.rejected';
/** The queue rebased an approved head cleanly: the approval carries to the rebased commit. */
export const APPROVAL_CARRIED = 'track.approval-carried';
/** The queue passed over a ready track for want of an approval of this head (once per head). */
export const AWAITING_APPROVAL = 'track.awaiting-approval';

export interface ApprovalFacts {
  /** The branch head the queue would build the candidate from; null when there is no branch. */
  head: string | null;
  /** The SHA the last word on the track approved; null when none did, or a rejection came last. */
  approvedSha: string | null;
  /** One summary per command-bearing part of its diff (merge-base with the target .. head). */
  commandBearing: readonly string[];
}

export type ApprovalVerdict =
  { ok: true; approvedSha: string | null } | { ok: false; reason: string };

/** May this ready track be landed now? When not, the reason says what the user can do. */
export function decideApproval(
  id: string,
  facts: ApprovalFacts,
  requireApproval: boolean,
): ApprovalVerdict {
  const bearing = facts.commandBearing.length > 0;
  if (!bearing && !requireApproval) return { ok: true, approvedSha: null };
  const next = `run \`ym review ${id}\`, then \`ym approve ${id}\``;
  if (facts.head === null)
    return { ok: false, reason: `awaiting approval, but its branch is missing; ${next}` };
  if (facts.approvedSha === facts.head) return { ok: true, approvedSha: facts.head };
  const why = bearing
    ? `it changes what yardmaster runs (${facts.commandBearing.join('; ')}), so it needs an approval of ${facts.head.slice(0, 12)} whatever --yes, CI or merge.requireApproval say`
    : 'merge.requireApproval is on';
  if (facts.approvedSha !== null) {
    return {
      ok: false,
      reason: `awaiting approval: ${facts.approvedSha.slice(0, 12)} was approved, but its head is now ${facts.head.slice(0, 12)} (${why}); ${next} again`,
    };
  }
  return { ok: false, reason: `awaiting approval (${why}); ${next}` };
}

/** The SHA approved by the last approval, rejection or carried approval in a track's events. */
export function approvedShaOf(events: readonly { type: string; data: unknown }[]): string | null {
  let sha: string | null = null;
  for (const e of events) {
    if (e.type === REJECTED) sha = null;
    else if (e.type === APPROVED || e.type === APPROVAL_CARRIED) {
      const value = (e.data as { sha?: unknown } | null)?.sha;
      sha = typeof value === 'string' ? value : null;
    }
  }
  return sha;
}
