// The merge queue's decisions: which queued track goes next, and what each step's result
// means for it (land, rebuild on the new target, give its turn back, wait for the user, back to
// its agent, conflicted, failed). The queue's runner (src/engine/merge-queue.ts) does the steps and
// applies these. Pure.
import type { TrackState } from '../state/lifecycle.js';
import { decideApproval, type ApprovalFacts } from './approval.js';
import { decideMergeSetback, type AfterSetback } from './attempts.js';
import { dependenciesMerged } from './graph.js';

export interface QueueItem {
  trackId: string;
  paused: boolean;
}

export interface NextItemInput {
  /** The queue, oldest first. */
  queue: readonly QueueItem[];
  tracks: ReadonlyMap<string, { state: TrackState; dependsOn: readonly string[] }>;
  /** Looked at in this pass already (a track given back waits for the next pass). */
  seen: ReadonlySet<string>;
  /** Only these (`ym merge ID...`); all when empty. */
  only: readonly string[];
  /** The whole queue is paused (the status view's `p`). */
  paused: boolean;
  /** The approval gate's facts of the ready tracks (src/flow/approval.ts); none: nothing to gate. */
  approval?: ReadonlyMap<string, ApprovalFacts>;
  /** merge.requireApproval. */
  requireApproval?: boolean;
}

export interface NextItem {
  next: string | null;
  drop: string[];
  paused: boolean;
  /** Ready tracks passed over because they need an approval, each with what to do. */
  awaiting: { id: string; reason: string }[];
  /** The SHA the chosen track's approval names: the head its candidate must be built from. */
  approvedSha?: string | null;
  /**
   * Every track the queue may take, in its order, dependencies aside (ready, not paused or
   * passed over, approved where it must be): what the speculative window is planned from.
   */
  order: string[];
}

/** States in which a queue entry has nothing left to do: it is dropped. */
const DONE: readonly TrackState[] = ['merged', 'failed', 'cancelled', 'reverted'];

export function nextQueueItem(input: NextItemInput): NextItem {
  if (input.paused) return { next: null, drop: [], paused: true, awaiting: [], order: [] };
  const drop: string[] = [];
  const awaiting: NextItem['awaiting'] = [];
  const order: string[] = [];
  let next: string | null = null;
  let approvedSha: string | null | undefined;
  const stateOf = (id: string) => input.tracks.get(id)?.state;
  for (const item of input.queue) {
    const t = input.tracks.get(item.trackId);
    if (!t || item.paused || input.seen.has(item.trackId)) continue;
    if (input.only.length && !input.only.includes(item.trackId)) continue;
    if (t.state !== 'ready') {
      if (DONE.includes(t.state)) drop.push(item.trackId);
      continue;
    }
    // Oldest first, but never ahead of its own dependencies, and only once approved when it
    // must be. Facts missing for a ready track mean it was not looked at: it waits.
    const depsMerged = dependenciesMerged(t, stateOf);
    let sha: string | null = null;
    if (input.approval) {
      const facts = input.approval.get(item.trackId);
      if (!facts) continue;
      const verdict = decideApproval(item.trackId, facts, input.requireApproval ?? false);
      if (!verdict.ok) {
        // Said once it could go: a track still waiting for a dependency waits for that first.
        if (depsMerged) awaiting.push({ id: item.trackId, reason: verdict.reason });
        continue;
      }
      sha = verdict.approvedSha;
    }
    order.push(item.trackId);
    if (next === null && depsMerged) {
      next = item.trackId;
      if (input.approval) approvedSha = sha;
    }
  }
  return {
    next,
    drop,
    paused: false,
    awaiting,
    order,
    ...(approvedSha !== undefined ? { approvedSha } : {}),
  };
}

/** What one try at merging a track came to (the activities' results, as the queue sees them). */
export type MergeStepResult =
  | { kind: 'dirty'; paths: readonly string[] }
  | { kind: 'conflict'; paths: readonly string[] }
  | { kind: 'interrupted' }
  | { kind: 'checks-failed'; feedback: string }
  | { kind: 'worktree-moved'; head: string | null; candidate: string }
  | { kind: 'checks-changed-files'; paths: readonly string[] }
  | { kind: 'checkout-blocked'; path: string; files: readonly string[] }
  | { kind: 'target-moved'; detail: string }
  | { kind: 'forge-checks-failed'; detail: string }
  | { kind: 'rejected'; detail: string }
  /** The branch head is not the one the gate passed (`approved`: an approval named it). */
  | { kind: 'head-moved'; head: string | null; expected: string; approved: boolean }
  | { kind: 'landed' };

export type MergeDecision =
  | { kind: 'merged' }
  /** The target moved under the candidate: build it again on the new target. */
  | { kind: 'rebuild' }
  /** Back to ready, keeping its place in the queue, for the next pass. */
  | { kind: 'give-back'; reason: string }
  /** Back to ready until the user acts (the reason says what to do); `approval`: an approval is what it waits for. */
  | { kind: 'waiting'; reason: string; approval?: true }
  | AfterSetback;

export interface MergePolicy {
  trackId: string;
  attempt: number;
  maxAttempts: number;
  onConflict: 'mark' | 'agent';
  target: string;
  /** Which try at this track this was in the current turn (1-based), and the most allowed. */
  loop: number;
  maxLoops: number;
}

export function decideMergeStep(result: MergeStepResult, policy: MergePolicy): MergeDecision {
  switch (result.kind) {
    case 'landed':
      return { kind: 'merged' };
    case 'dirty':
      return {
        kind: 'fail',
        reason: `its worktree has uncommitted changes: ${result.paths.slice(0, 5).join(', ')}`,
      };
    case 'conflict':
      return decideMergeSetback({ kind: 'conflict', paths: result.paths }, policy);
    case 'interrupted':
      return { kind: 'give-back', reason: 'interrupted while checking' };
    case 'checks-failed':
      return decideMergeSetback(
        { kind: 'checks', feedback: result.feedback, reason: 'checks failed on the rebased head' },
        policy,
      );
    case 'forge-checks-failed':
      return decideMergeSetback(
        { kind: 'checks', feedback: result.detail, reason: 'checks failed on the rebased head' },
        policy,
      );
    case 'worktree-moved':
      return {
        kind: 'give-back',
        reason: `its worktree moved to ${result.head?.slice(0, 8) ?? 'no commit'} while the checks ran on ${result.candidate.slice(0, 8)}; will retry`,
      };
    case 'checks-changed-files':
      // A check that rewrote tracked files (a formatter with --write, snapshot updates) made
      // the later checks run on a tree that is not the one that would land.
      return decideMergeSetback(
        {
          kind: 'checks',
          feedback: `the checks changed tracked files (${result.paths.slice(0, 5).join(', ')}), so they did not run on the commit that would land; make the checks leave tracked files alone, or commit what they produce`,
          reason: 'checks failed on the rebased head',
        },
        policy,
      );
    case 'checkout-blocked':
      return {
        kind: 'waiting',
        reason: `${result.path} has uncommitted changes to files this merge changes (${result.files.slice(0, 5).join(', ')}); commit or stash them, then run \`ym merge\``,
      };
    case 'target-moved':
      return policy.loop < policy.maxLoops
        ? { kind: 'rebuild' }
        : {
            kind: 'give-back',
            reason: `the target kept moving (${policy.maxLoops} tries); will retry`,
          };
    case 'rejected':
      return { kind: 'fail', reason: result.detail };
    case 'head-moved':
      // Whatever moved it, what would land is not what was approved (or looked at).
      return result.approved
        ? {
            kind: 'waiting',
            approval: true,
            reason: `awaiting approval: ${result.expected.slice(0, 12)} was approved, but its head moved to ${result.head?.slice(0, 12) ?? 'nothing'}; run \`ym review ${policy.trackId}\`, then \`ym approve ${policy.trackId}\` again`,
          }
        : {
            kind: 'give-back',
            reason: `its head moved to ${result.head?.slice(0, 8) ?? 'nothing'} while it was queued; will retry`,
          };
  }
}
