// The merge queue's runner in the local engine: validated tracks enter the target one at a time,
// across processes (the merge lock in state.db). It asks src/flow/queue.ts which track goes next
// and what each try's result means, runs the try (src/merge/try-landing.ts: sync the target,
// build the candidate, check that exact commit, land exactly that SHA), and applies the
// decision as state transitions. A conflict, failing checks or a target that moved never reach
// the target.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { WorkFailedError, YmError } from '../core/errors.js';
import { decideMergeStep, nextQueueItem, type MergeDecision } from '../flow/queue.js';
import { TargetCheckouts } from '../merge/checkouts.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { withMergeLock } from '../runtime/leases.js';
import { META_QUEUE_PAUSED } from '../state/meta.js';
import type { TrackRow } from '../state/rows.js';
import type { VcsProvider } from '../vcs/types.js';
import { activities } from './activities.js';
import { Speculator } from './speculation.js';
import { windowLimit } from '../flow/window.js';
import { approvalFacts } from '../approval/facts.js';
import {
  APPROVAL_CARRIED,
  AWAITING_APPROVAL,
  decideApproval,
  type ApprovalFacts,
} from '../flow/approval.js';
import { dependenciesMerged } from '../flow/graph.js';
import { resolveCommit } from '../review/range.js';
import type { CommandBearingPart } from '../review/command-bearing.js';

export type MergeOutcome = 'merged' | 'conflicted' | 'failed' | 'requeued' | 'waiting' | 'skipped';

const MAX_RELOOPS = 5;

export class MergeQueue {
  private draining: Promise<Map<string, MergeOutcome>> | null = null;
  private again = false;
  private readonly seen = new Set<string>();
  private pausedSaid = false;
  /** Tracks whose landing the user's checkout held: looked at again before their checks run. */
  private readonly held = new Set<string>();
  /** The user's checkouts of the target, listed once per drain. */
  private checkouts: TargetCheckouts | null = null;
  readonly outcomes = new Map<string, MergeOutcome>();
  /** Ready tracks the last look passed over for want of an approval, each with what to do. */
  readonly awaiting = new Map<string, string>();
  /** Heads already notified as awaiting approval (one notification per head). */
  private readonly toldAwaiting = new Set<string>();
  /** The command-bearing parts of the ranges the gate looked at (they never change). */
  private readonly parts = new Map<string, CommandBearingPart[]>();
  /** The speculative window of the drain in progress (merge.speculate > 1, local provider). */
  private speculator: Speculator | null = null;
  /** The last speculative drain's figures: check runs started, stopped, setbacks. */
  speculation: { started: number; stopped: number; setbacks: number; limit: number } | null = null;

  constructor(
    private readonly env: RunEnv,
    private readonly provider: VcsProvider,
    private readonly only: readonly string[] = [],
  ) {}

  /** Processes the queue until nothing in it can be merged now. Concurrent calls share one drain. */
  drain(): Promise<Map<string, MergeOutcome>> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        this.checkouts = new TargetCheckouts(this.env.git, this.env.config.target);
        const limit = windowLimit(this.env.config.merge.speculate, availableParallelism());
        // With a forge, landing stays one request at a time; the window's checks of the next
        // candidates run while the forge's CI runs for the head, and stand for the candidate
        // rebuilt on the forge's merge by its tree (docs/forges.md).
        if (limit > 1) {
          // The window's checks run between landings: the lock is held for the whole drain,
          // so its pool worktrees are this process's and a crash's checks are ended by the
          // next merge (recoverMerges kills what the dead holder left).
          await withMergeLock(this.env, async () => {
            const speculator = new Speculator(this.env, limit);
            this.speculator = speculator;
            try {
              await this.passes(speculator);
            } finally {
              this.speculator = null;
              await speculator.close();
              const before = this.speculation;
              this.speculation = {
                started: (before?.started ?? 0) + speculator.counts.started,
                stopped: (before?.stopped ?? 0) + speculator.counts.stopped,
                setbacks: (before?.setbacks ?? 0) + speculator.counts.setbacks,
                limit,
              };
            }
          });
        } else await this.passes(null);
        return this.outcomes;
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  private async passes(speculator: Speculator | null): Promise<void> {
    do {
      this.again = false;
      // Each pass looks at a track once: one given back (target kept moving) waits for the
      // next pass, which a newly ready track starts.
      this.seen.clear();
      while (!this.env.ctx.signal.aborted) {
        const next = await this.nextItem();
        if (!next) break;
        let outcome: MergeOutcome | null;
        if (speculator) {
          const tracks = new Map(this.env.store.listTracks().map((t) => [t.id, t]));
          // Planned beside the head's own merge: the head's place is in the window already
          // (it was the second), and the queue waits for a refresh before taking a report.
          void speculator.refresh(
            // A track whose landing the user's checkout held costs no check run until its
            // checkout lets it land (the queue looks first): it gets no place in the window.
            next.order.flatMap((id) => {
              const t = tracks.get(id);
              return t && !this.held.has(id) ? [{ id, dependsOn: t.dependsOn }] : [];
            }),
            (id) => this.env.store.getTrack(id)?.state === 'merged',
          );
          outcome = await this.mergeOne(next.track, next.expectHead);
          if (outcome === 'merged') speculator.landed();
        } else
          outcome = await withMergeLock(this.env, () => this.mergeOne(next.track, next.expectHead));
        if (outcome === null) break; // interrupted while waiting for the lock
        // A landing held by the user's checkout holds only that track: the next ones may
        // change other files (its dependents wait for it, as for any unmerged dependency).
        this.seen.add(next.track.id);
        this.outcomes.set(next.track.id, outcome);
      }
    } while (this.again && !this.env.ctx.signal.aborted);
  }

  /**
   * The oldest queued ready track whose dependencies are merged and that is approved when it
   * must be (src/flow/queue.ts decides), with the head its candidate must be built from, and
   * the queue's order (what the speculative window is planned from).
   */
  private async nextItem(): Promise<
    | {
        track: TrackRow;
        expectHead: { sha: string; approved: boolean } | undefined;
        order: string[];
      }
    | undefined
  > {
    const { store, config, git, ctx, repo } = this.env;
    const tracks = new Map(store.listTracks().map((t) => [t.id, t]));
    const queue = store.listQueue();
    // The gate's facts, for the ready tracks in the queue (git reads only), in the queue's
    // order until there is enough to choose from: the next track, and as many more as the
    // window can hold. The rest are looked at when the queue comes to them.
    const approval = new Map<string, ApprovalFacts>();
    const gate = { git, run: ctx.run, root: repo.root, store, target: config.target };
    const memo = {
      targetSha: await resolveCommit(git, `refs/heads/${config.target}`),
      parts: this.parts,
    };
    const wanted = this.speculator ? this.speculator.limit + 1 : 1;
    let passed = 0;
    let picked = false;
    for (const item of queue) {
      const t = tracks.get(item.trackId);
      if (t?.state !== 'ready' || this.seen.has(t.id) || item.paused) continue;
      if (this.only.length && !this.only.includes(t.id)) continue;
      if (picked && passed >= wanted) break;
      const facts = await approvalFacts(gate, t.id, branchFor(config, t.id), memo);
      approval.set(t.id, facts);
      if (decideApproval(t.id, facts, config.merge.requireApproval).ok) {
        passed++;
        if (dependenciesMerged(t, (id) => tracks.get(id)?.state)) picked = true;
      }
    }
    const pick = nextQueueItem({
      queue,
      tracks,
      seen: this.seen,
      only: this.only,
      paused: store.getMeta(META_QUEUE_PAUSED) === '1',
      approval,
      requireApproval: config.merge.requireApproval,
    });
    for (const a of pick.awaiting) {
      this.awaiting.set(a.id, a.reason);
      const head = approval.get(a.id)?.head ?? null;
      const key = `${a.id}@${head ?? ''}`;
      if (this.toldAwaiting.has(key)) continue;
      this.toldAwaiting.add(key);
      this.env.report(a.id, `waiting: ${a.reason}`);
      // Recorded once per head, across processes: the status view and the notification say
      // it once, not on every `ym merge`.
      const last = store
        .listEvents({ trackId: a.id })
        .filter((e) => e.type === AWAITING_APPROVAL)
        .at(-1);
      if ((last?.data as { sha?: unknown } | undefined)?.sha === head) continue;
      store.appendEvent({
        trackId: a.id,
        type: AWAITING_APPROVAL,
        data: { sha: head, reason: a.reason },
      });
      this.env.notify?.({ event: 'awaiting-approval', trackId: a.id, reason: a.reason, sha: head });
    }
    // Paused from the status view (`p`): ready tracks wait in the queue until resumed.
    if (pick.paused) {
      if (!this.pausedSaid)
        this.env.report(null, 'merge queue paused (press p in `ym status` to resume)');
      this.pausedSaid = true;
    }
    for (const id of pick.drop) store.dequeue(id);
    const track = pick.next === null ? undefined : tracks.get(pick.next);
    if (!track) return undefined;
    this.awaiting.delete(track.id);
    const head = approval.get(track.id)?.head;
    const expectHead = head ? { sha: head, approved: pick.approvedSha === head } : undefined;
    return { track, expectHead, order: pick.order };
  }

  private async mergeOne(
    track: TrackRow,
    expected?: { sha: string; approved: boolean },
  ): Promise<MergeOutcome> {
    let expectHead = expected;
    const { env, provider } = this;
    const { store, config, ctx } = env;
    // Re-read under the lock: another process may have merged it meanwhile.
    const fresh = store.getTrack(track.id);
    if (!fresh || fresh.state !== 'ready') return 'skipped';
    store.transition(track.id, 'merging', { from: 'ready' });
    const branch = branchFor(config, track.id);
    const step = (name: string, headSha?: string) => {
      store.setQueueStep(track.id, name, headSha);
      env.report(track.id, `merge: ${name}`);
    };
    try {
      // A worktree removed behind our back (or by `clean`) is made again from the branch.
      const worktree =
        fresh.worktree && existsSync(fresh.worktree)
          ? fresh.worktree
          : (
              await activities.provision(
                env,
                store.getTrack(track.id)!,
                `refs/heads/${config.target}`,
              )
            ).path;
      let carried = false;
      for (let loop = 1; ; loop++) {
        const tried = await activities.tryLanding(env, provider, {
          track,
          worktree,
          branch,
          checkouts: this.checkouts ?? undefined,
          precheckCheckouts: this.held.has(track.id),
          step,
          signal: ctx.signal,
          expectHead,
          window: this.speculator ?? undefined,
        });
        if (tried.result.kind === 'checkout-blocked') this.held.add(track.id);
        else this.held.delete(track.id);
        if (
          'built' in tried &&
          tried.built !== undefined &&
          expectHead &&
          tried.built !== expectHead.sha
        ) {
          // The queue's own clean rebase moved the branch: what was approved is what it rebased,
          // so the approval carries to the new head (an agent's next commit does not).
          carried = true;
          if (expectHead.approved)
            store.appendEvent({
              trackId: track.id,
              type: APPROVAL_CARRIED,
              data: { sha: tried.built, from: expectHead.sha },
            });
          expectHead = { ...expectHead, sha: tried.built };
        }
        const current = store.getTrack(track.id)!;
        const decision = decideMergeStep(tried.result, {
          trackId: track.id,
          // A conflict is judged on the attempt the queue took it with, failed checks on the
          // track as it is now: as they always were.
          attempt: tried.result.kind === 'conflict' ? track.attempt : current.attempt,
          maxAttempts: config.attempts,
          onConflict: config.merge.onConflict,
          target: config.target,
          loop,
          maxLoops: MAX_RELOOPS,
        });
        if (tried.result.kind === 'target-moved')
          env.report(
            track.id,
            `merge: target moved (${tried.result.detail})${decision.kind === 'rebuild' ? '; rebuilding' : ''}`,
          );
        if (decision.kind === 'rebuild') continue;
        if (decision.kind === 'merged' && 'landed' in tried) {
          const { landed } = tried;
          // Landed from the window's candidate (or rebased on the last try): the approval
          // carried to what landed, said once per merge.
          if (!carried && expectHead?.approved && landed.branchHead !== expectHead.sha)
            store.appendEvent({
              trackId: track.id,
              type: APPROVAL_CARRIED,
              data: { sha: landed.branchHead, from: expectHead.sha },
            });
          store.transition(track.id, 'merged', {
            from: 'merging',
            patch: { mergedSha: landed.targetSha },
            data: {
              targetBefore: landed.targetBefore,
              commits: landed.commits,
              strategy: config.merge.strategy,
              branchHead: landed.branchHead,
              ...(landed.url ? { url: landed.url } : {}),
            },
          });
          store.dequeue(track.id);
          env.report(track.id, `merged into ${config.target} at ${landed.targetSha.slice(0, 8)}`);
          env.notify?.({
            event: 'merged',
            trackId: track.id,
            reason: null,
            sha: landed.targetSha,
            url: landed.url ?? null,
          });
          await activities.cleanup(env, provider, store.getTrack(track.id)!, {
            uncommitted: landed.uncommitted,
          });
          return 'merged';
        }
        if (decision.kind === 'merged')
          throw new WorkFailedError(`merging ${track.id}: landed without a landing record`);
        return this.apply(track, decision);
      }
    } catch (err) {
      const message = err instanceof YmError ? err.message : String(err);
      if (store.getTrack(track.id)?.state === 'merging')
        this.giveBack(track, `merge stopped: ${message}`);
      throw err instanceof YmError
        ? err
        : new WorkFailedError(`merging ${track.id} failed: ${message}`);
    }
  }

  /** Applies a decision that is not a landing: each one state transition (and its event). */
  private apply(
    track: TrackRow,
    decision: Exclude<MergeDecision, { kind: 'merged' | 'rebuild' }>,
  ): MergeOutcome {
    const { store, config } = this.env;
    const branch = branchFor(config, track.id);
    switch (decision.kind) {
      case 'give-back':
        return this.giveBack(track, decision.reason);
      case 'waiting':
        this.env.report(track.id, `waiting: ${decision.reason}`);
        this.giveBack(track, decision.reason);
        if (decision.approval) {
          this.awaiting.set(track.id, decision.reason);
          this.env.notify?.({
            event: 'awaiting-approval',
            trackId: track.id,
            reason: decision.reason,
            sha: null,
          });
        }
        return 'waiting';
      case 'conflicted':
        store.dequeue(track.id);
        void this.provider
          .reportFailure(track.id, branch, `Conflict: ${decision.reason}`)
          .catch(() => undefined);
        store.transition(track.id, 'conflicted', {
          from: 'merging',
          reason: decision.reason,
          data: { paths: decision.paths },
        });
        this.env.report(track.id, `conflicted: ${decision.reason}`);
        this.env.notify?.({
          event: 'conflicted',
          trackId: track.id,
          reason: decision.reason,
          sha: null,
        });
        return 'conflicted';
      case 'requeue': {
        store.dequeue(track.id);
        const conflict = decision.cause === 'conflict';
        if (conflict)
          void this.provider
            .reportFailure(track.id, branch, `Conflict: ${decision.reason}`)
            .catch(() => undefined);
        store.appendEvent({
          trackId: track.id,
          type: 'track.feedback',
          data: { text: decision.feedback },
        });
        store.transition(track.id, 'queued', {
          from: 'merging',
          reason: decision.reason,
          patch: { attempt: decision.attempt },
        });
        this.env.report(
          track.id,
          conflict
            ? `conflicted; handed back to the agent: ${decision.reason}`
            : 'checks failed on the rebased head; back to the agent',
        );
        return 'requeued';
      }
      case 'fail':
        store.dequeue(track.id);
        store.transition(track.id, 'failed', { from: 'merging', reason: decision.reason });
        void this.provider
          .reportFailure(track.id, branch, `Failed: ${decision.reason}`)
          .catch(() => undefined);
        this.env.report(track.id, `failed: ${decision.reason}`);
        this.env.notify?.({
          event: 'failed',
          trackId: track.id,
          reason: decision.reason,
          sha: null,
        });
        return 'failed';
    }
  }

  /** Back to ready, keeping its place in the queue. */
  private giveBack(track: TrackRow, reason: string): MergeOutcome {
    this.env.store.transition(track.id, 'ready', { from: 'merging', reason });
    this.env.store.setQueueStep(track.id, null);
    return 'skipped';
  }
}
