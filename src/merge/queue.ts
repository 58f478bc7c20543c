// The merge queue: validated tracks enter the target one at a time, across processes (a lease
// lock in state.db). For each, oldest first: bring the target up to date, rebuild the track on
// it, run the checks on that exact commit, land exactly that SHA through the provider, record
// it, clean up. A conflict, failing checks or a target that moved never reach the target.
import { runChecks } from '../checks/run.js';
import { WorkFailedError, YmError } from '../core/errors.js';
import type { RunEnv } from '../run/env.js';
import { branchFor } from '../run/env.js';
import { checksFeedback } from '../run/feedback.js';
import { existsSync } from 'node:fs';
import { MERGE_HOLDER_VARIABLE } from '../proc/orphans.js';
import { provisionWorktree } from '../run/provision.js';
import type { TrackRow } from '../state/rows.js';
import { META_QUEUE_PAUSED } from '../state/meta.js';
import type { VcsProvider } from '../vcs/types.js';
import { checkoutStatus } from '../git/status.js';
import { TargetCheckouts, fastForwardCheckout, planCheckouts } from './checkouts.js';
import { cleanupAfterMerge } from './cleanup.js';
import { withMergeLock } from './lock.js';
import { SQUASHED_REFS } from './record.js';
import { buildCandidate } from './integrate.js';
import { trackDescription } from './describe.js';

export type MergeOutcome = 'merged' | 'conflicted' | 'failed' | 'requeued' | 'waiting' | 'skipped';

const MAX_RELOOPS = 5;

export class MergeQueue {
  private draining: Promise<Map<string, MergeOutcome>> | null = null;
  private again = false;
  private readonly seen = new Set<string>();
  private pausedSaid = false;
  /** The user's checkouts of the target, listed once per drain. */
  private checkouts: TargetCheckouts | null = null;
  readonly outcomes = new Map<string, MergeOutcome>();

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
        do {
          this.again = false;
          // Each pass looks at a track once: one given back (target kept moving) waits for the
          // next pass, which a newly ready track starts.
          this.seen.clear();
          while (!this.env.ctx.signal.aborted) {
            const next = this.nextItem();
            if (!next) break;
            const outcome = await withMergeLock(this.env, () => this.mergeOne(next));
            if (outcome === null) break; // interrupted while waiting for the lock
            // A landing held by the user's checkout holds only that track: the next ones may
            // change other files (its dependents wait for it, as for any unmerged dependency).
            this.seen.add(next.id);
            this.outcomes.set(next.id, outcome);
          }
        } while (this.again && !this.env.ctx.signal.aborted);
        return this.outcomes;
      } finally {
        this.draining = null;
      }
    })();
    return this.draining;
  }

  /** The oldest queued ready track whose dependencies are merged. */
  private nextItem(): TrackRow | undefined {
    const { store } = this.env;
    // Paused from the status view (`p`): ready tracks wait in the queue until resumed.
    if (store.getMeta(META_QUEUE_PAUSED) === '1') {
      if (!this.pausedSaid) this.env.report(null, 'merge queue paused (press p in `ym status` to resume)');
      this.pausedSaid = true;
      return undefined;
    }
    const tracks = new Map(store.listTracks().map((t) => [t.id, t]));
    for (const item of store.listQueue()) {
      const t = tracks.get(item.trackId);
      if (!t || item.paused || this.seen.has(t.id)) continue;
      if (this.only.length && !this.only.includes(t.id)) continue;
      if (t.state !== 'ready') {
        if (['merged', 'failed', 'cancelled', 'reverted'].includes(t.state)) store.dequeue(t.id);
        continue;
      }
      if (t.dependsOn.every((d) => tracks.get(d)?.state === 'merged')) return t;
    }
    return undefined;
  }

  private restore: (() => Promise<unknown>) | null = null;

  private async mergeOne(track: TrackRow): Promise<MergeOutcome> {
    try {
      return await this.mergeOneInner(track);
    } finally {
      const restore = this.restore;
      this.restore = null;
      if (restore && this.env.store.getTrack(track.id)?.state !== 'merged') await restore();
    }
  }

  private async mergeOneInner(track: TrackRow): Promise<MergeOutcome> {
    const { env, provider } = this;
    const { store, config, git, ctx } = env;
    // Re-read under the lock: another process may have merged it meanwhile.
    const fresh = store.getTrack(track.id);
    if (!fresh || fresh.state !== 'ready') return 'skipped';
    store.transition(track.id, 'merging', { from: 'ready' });
    const branch = branchFor(config, track.id);
    // A worktree removed behind our back (or by `clean`) is made again from the branch.
    const worktree =
      fresh.worktree && existsSync(fresh.worktree)
        ? fresh.worktree
        : (await provisionWorktree(env, store.getTrack(track.id)!, `refs/heads/${config.target}`)).path;
    const step = (name: string, headSha?: string) => {
      store.setQueueStep(track.id, name, headSha);
      env.report(track.id, `merge: ${name}`);
    };
    try {
      for (let loop = 1; loop <= MAX_RELOOPS; loop++) {
        step('updating target');
        const targetSha = await provider.syncTarget(config.target, ctx.signal);
        step(`${config.merge.strategy === 'rebase' ? 'rebasing' : config.merge.strategy === 'merge' ? 'merging' : 'squashing'} onto ${targetSha.slice(0, 8)}`);
        const candidate = await buildCandidate(git, { worktree, branch, targetSha, strategy: config.merge.strategy, trackId: track.id, title: track.title });
        if (candidate.kind === 'dirty') {
          return this.fail(track, `its worktree has uncommitted changes: ${candidate.paths.slice(0, 5).join(', ')}`);
        }
        if (candidate.kind === 'conflict') return this.conflict(track, candidate.paths);
        // From here on the worktree may be detached at the candidate (merge/squash); every way
        // out except landing puts it back on the branch.
        this.restore = () => git.ok(['switch', '--quiet', branch], { cwd: worktree });
        step('checking', candidate.sha);
        // The worktree is at the candidate, clean: the checks need not ask git where it is. The
        // holder mark lets the next merge end these checks if this process is killed.
        const report = await runChecks(ctx, { cwd: worktree, trackId: track.id, target: targetSha, resolved: { head: candidate.sha, targetSha, base: candidate.base }, signal: ctx.signal, env: { [MERGE_HOLDER_VARIABLE]: env.holder.id } }, config);
        store.appendEvent({ trackId: track.id, type: 'checks.finished', data: { ok: report.ok, headSha: report.headSha, results: report.results, during: 'merge' } });
        if (ctx.signal.aborted) return this.giveBack(track, 'interrupted while checking');
        if (!report.ok || report.headSha !== candidate.sha) return this.backToAgent(track, checksFeedback(report));
        // The command checks ran in the worktree: it must still be at the candidate. What they
        // left uncommitted keeps the worktree from the pool after landing.
        const after = await checkoutStatus(git, worktree);
        if (after.head !== candidate.sha) {
          return this.giveBack(track, `its worktree moved to ${after.head?.slice(0, 8) ?? 'no commit'} while the checks ran on ${candidate.sha.slice(0, 8)}; will retry`);
        }
        // A check that rewrote tracked files (a formatter with --write, snapshot updates) made the
        // later checks run on a tree that is not the one that would land.
        if (after.tracked.length) {
          return this.backToAgent(track, `the checks changed tracked files (${after.tracked.slice(0, 5).join(', ')}), so they did not run on the commit that would land; make the checks leave tracked files alone, or commit what they produce`);
        }
        // The checks' own diff (from the target to the candidate) says which files the merge changes.
        const changed = report.mergeBase === targetSha && report.changed ? report.changed : undefined;
        const checkouts = await planCheckouts(git, config.target, targetSha, candidate.sha, { changed, checkouts: this.checkouts ?? undefined });
        if (checkouts.blocked) {
          const why = `${checkouts.blocked.path} has uncommitted changes to files this merge changes (${checkouts.blocked.files.slice(0, 5).join(', ')}); commit or stash them, then run \`ym merge\``;
          env.report(track.id, `waiting: ${why}`);
          this.giveBack(track, why);
          return 'waiting';
        }
        step('landing', candidate.sha);
        const landed = await provider.land({
          trackId: track.id, title: track.title, branch, sha: candidate.sha, expectedTarget: targetSha,
          strategy: config.merge.strategy, report, description: trackDescription(env, track), signal: ctx.signal,
        });
        if (landed.kind === 'target-moved') {
          env.report(track.id, `merge: target moved (${landed.detail}); rebuilding`);
          continue;
        }
        if (landed.kind === 'checks-failed') return this.backToAgent(track, landed.detail);
        if (landed.kind === 'rejected') return this.fail(track, landed.detail);
        // What revert needs to undo single tasks later: the branch as it was merged. A squash
        // leaves its commits out of the target's history, so a ref keeps them from git gc.
        const { branchHead } = candidate;
        if (config.merge.strategy === 'squash') await git.ok(['update-ref', `${SQUASHED_REFS}${track.id}`, branchHead]);
        for (const path of checkouts.update) {
          if (!(await fastForwardCheckout(git, path, targetSha, landed.targetSha))) {
            env.report(null, `warning: could not update the files of ${path}; run \`git status\` there`);
          }
        }
        store.transition(track.id, 'merged', { from: 'merging', patch: { mergedSha: landed.targetSha }, data: { targetBefore: targetSha, commits: candidate.commits, strategy: config.merge.strategy, branchHead, ...(landed.url ? { url: landed.url } : {}) } });
        store.dequeue(track.id);
        env.report(track.id, `merged into ${config.target} at ${landed.targetSha.slice(0, 8)}`);
        await cleanupAfterMerge(env, provider, store.getTrack(track.id)!, { uncommitted: after.dirty });
        return 'merged';
      }
      return this.giveBack(track, `the target kept moving (${MAX_RELOOPS} tries); will retry`);
    } catch (err) {
      const message = err instanceof YmError ? err.message : String(err);
      if (store.getTrack(track.id)?.state === 'merging') this.giveBack(track, `merge stopped: ${message}`);
      throw err instanceof YmError ? err : new WorkFailedError(`merging ${track.id} failed: ${message}`);
    }
  }

  private conflict(track: TrackRow, paths: string[]): MergeOutcome {
    const { store, config } = this.env;
    const reason = `conflicts with ${config.target} in ${paths.join(', ') || '(unknown paths)'}`;
    store.dequeue(track.id);
    void this.provider.reportFailure(track.id, branchFor(config, track.id), `Conflict: ${reason}`).catch(() => undefined);
    if (config.merge.onConflict === 'agent' && track.attempt < config.attempts) {
      store.appendEvent({ trackId: track.id, type: 'track.feedback', data: { text: `Rebasing onto ${config.target} conflicted in: ${paths.join(', ')}.\nRebase your branch onto ${config.target} (git rebase ${config.target}), resolve the conflicts keeping both changes' intent, and commit.` } });
      this.env.store.transition(track.id, 'queued', { from: 'merging', reason, patch: { attempt: track.attempt + 1 } });
      this.env.report(track.id, `conflicted; handed back to the agent: ${reason}`);
      return 'requeued';
    }
    store.transition(track.id, 'conflicted', { from: 'merging', reason, data: { paths } });
    this.env.report(track.id, `conflicted: ${reason}`);
    return 'conflicted';
  }

  private backToAgent(track: TrackRow, feedback: string): MergeOutcome {
    const { store, config } = this.env;
    store.dequeue(track.id);
    const current = store.getTrack(track.id)!;
    if (current.attempt >= config.attempts) return this.fail(track, `checks failed on the merged result and no attempts remain`);
    store.appendEvent({ trackId: track.id, type: 'track.feedback', data: { text: `After rebasing onto ${config.target}: ${feedback}` } });
    store.transition(track.id, 'queued', { from: 'merging', reason: 'checks failed on the rebased head', patch: { attempt: current.attempt + 1 } });
    this.env.report(track.id, 'checks failed on the rebased head; back to the agent');
    return 'requeued';
  }

  private fail(track: TrackRow, reason: string): MergeOutcome {
    const { store, config } = this.env;
    store.dequeue(track.id);
    store.transition(track.id, 'failed', { from: 'merging', reason });
    void this.provider.reportFailure(track.id, branchFor(config, track.id), `Failed: ${reason}`).catch(() => undefined);
    this.env.report(track.id, `failed: ${reason}`);
    return 'failed';
  }

  /** Back to ready, keeping its place in the queue. */
  private giveBack(track: TrackRow, reason: string): MergeOutcome {
    this.env.store.transition(track.id, 'ready', { from: 'merging', reason });
    this.env.store.setQueueStep(track.id, null);
    return 'skipped';
  }
}
