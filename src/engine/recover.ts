// Crash recovery: runs whose holder died (or stopped renewing its lease) are marked interrupted,
// whatever their agent left running is killed, and their tracks become resumable.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isActive } from '../state/lifecycle.js';
import { StateConflictError } from '../state/errors.js';
import { cleanupAfterMerge } from '../merge/cleanup.js';
import { fastForwardCheckout } from '../merge/checkouts.js';
import { listWorktrees } from '../git/worktrees.js';
import { MERGE_LOCK, RUN_STALE_AFTER_MS, isAliveHere } from '../runtime/leases.js';
import { leaseIsLive } from '../flow/leases.js';
import { LocalProvider } from '../vcs/local.js';
import { killTree } from '../proc/run.js';
import { killMergeOrphans, killRunOrphans } from '../proc/orphans.js';
import type { RunEnv } from '../runtime/env.js';
import { INTERRUPTED_VALIDATING } from './track-loop.js';

export const STALE_AFTER_MS = RUN_STALE_AFTER_MS;

export async function recoverInterrupted(
  env: RunEnv,
  staleAfterMs = STALE_AFTER_MS,
): Promise<string[]> {
  const { store } = env;
  const recovered: string[] = [];
  const stale = store.staleRuns({ staleAfterMs, isAlive: isAliveHere });
  // Killed between spawning the agent and recording its pid, a run left an agent nobody knows:
  // find it (and its children) by the run's marks in their environment (runMarks).
  killRunOrphans(
    env.repo.stateDir,
    stale.map((r) => r.id),
  );
  for (const run of stale) {
    // The agent ran in its own process group: end it, so nothing of a dead run keeps working.
    if (run.agentPid !== null) killTree(run.agentPid, 'SIGKILL', true);
    // A git command killed mid-write (the agent's or ours) leaves lock files behind; with the
    // run's processes gone, nobody holds them.
    const held = store.getTrack(run.trackId);
    if (held?.worktree) await removeStaleLocks(env, held.worktree, held.branch);
    // Another process may be recovering the same run at the same moment: whoever comes
    // second finds it already done (a StateConflictError) and moves on.
    if (
      !tolerant(() =>
        store.finishRun(run.id, { state: 'interrupted', reason: 'the process running it stopped' }),
      )
    )
      continue;
    const track = store.getTrack(run.trackId);
    if (track && isActive(track.state)) {
      const reason =
        track.state === 'validating' ? INTERRUPTED_VALIDATING : `interrupted while ${track.state}`;
      if (
        tolerant(() =>
          store.transition(track.id, 'interrupted', { from: track.state, reason, runId: run.id }),
        )
      )
        recovered.push(track.id);
    }
  }
  // An active track with no running run: its process died between steps. A live process never
  // shows this, since a track is claimed together with its run and every run change moves the
  // track in the same transaction (track-runner.ts), so there is no need to wait. A merge holds
  // the merge-queue lock instead of a run: recoverMerges decides for those.
  const live = new Set(
    store
      .listTracks()
      .filter((t) => isActive(t.state))
      .flatMap((t) => (store.listRuns(t.id).some((r) => r.state === 'running') ? [t.id] : [])),
  );
  for (const t of store.listTracks()) {
    if (isActive(t.state) && t.state !== 'merging' && !live.has(t.id)) {
      if (
        tolerant(() =>
          store.transition(t.id, 'interrupted', {
            from: t.state,
            reason: `interrupted while ${t.state}`,
          }),
        )
      )
        recovered.push(t.id);
    }
  }
  recovered.push(...(await recoverMerges(env, staleAfterMs)));
  return recovered;
}

/**
 * Killed between moving the target ref and updating the files of the checkouts that have it
 * checked out, a merge leaves those checkouts' index and files at the old target: every change
 * it landed would show as staged in reverse. The old target is the first commit down the
 * target's first-parent line that is not the track's own (every commit a merge lands carries
 * the track's `Yardmaster-Track` trailer); only a checkout whose index is exactly that commit's
 * tree is brought forward, with the two-way merge that keeps uncommitted work. Anything else
 * is the user's own doing and is left alone.
 */
async function catchUpCheckouts(env: RunEnv, trackId: string, landed: string): Promise<void> {
  const { git, config } = env;
  const target = await git(['rev-parse', `refs/heads/${config.target}`]);
  if (!(await git.ok(['merge-base', '--is-ancestor', landed, target]))) return;
  const lines = (
    await git([
      'log',
      '--first-parent',
      '--max-count=64',
      '--format=%H %T %(trailers:key=Yardmaster-Track,valueonly,separator=%x2C)',
      target,
    ])
  ).split('\n');
  const commits = lines
    .map((l) => l.split(' '))
    .map(([sha, tree, tracks]) => ({ sha: sha!, tree: tree!, tracks: (tracks ?? '').split(',') }));
  const ownCount = commits.findIndex((c) => !c.tracks.includes(trackId));
  if (ownCount <= 0) return;
  const old = commits[ownCount]!;
  for (const w of (await listWorktrees(git)).filter(
    (x) => x.branch === config.target && !x.prunable,
  )) {
    const indexTree = await git(['write-tree'], { cwd: w.path }).catch(() => null);
    if (indexTree !== old.tree) continue;
    if (!(await fastForwardCheckout(git, w.path, old.sha, target)))
      env.report(
        null,
        `warning: could not update the files of ${w.path}; run \`git status\` there`,
      );
  }
}

function tolerant(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof StateConflictError) return false;
    throw err;
  }
}

/**
 * Lock files in a track's worktree that a killed git left: its own git dir's (index.lock,
 * HEAD.lock, ORIG_HEAD.lock, ...) and its branch's ref lock in the common dir. Never the common
 * dir's other locks, which a live process may hold.
 */
async function removeStaleLocks(
  env: RunEnv,
  worktree: string,
  branch: string | null,
): Promise<void> {
  if (!existsSync(worktree)) return;
  const dirs = await env
    .git(['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], {
      cwd: worktree,
    })
    .catch(() => null);
  const [gitDir, commonDir] = dirs?.split('\n') ?? [];
  if (!gitDir || !commonDir || path.resolve(gitDir) === path.resolve(commonDir)) return;
  for (const name of readdirSync(gitDir))
    if (name.endsWith('.lock')) rmSync(path.join(gitDir, name), { force: true });
  if (branch) rmSync(path.join(commonDir, 'refs', 'heads', `${branch}.lock`), { force: true });
}

/**
 * A merge whose process died: if the target already holds the validated head it was landing
 * (killed between the ref update and its record), record it as merged; otherwise give it back
 * to the queue as ready. Only when no live process holds the merge lock. The checks the dead
 * merge started are ended first, so none keeps working in a worktree the next merge rebuilds.
 * `implement` runs it with the rest of recovery, `merge` on its own before picking tracks.
 */
export async function recoverMerges(env: RunEnv, staleAfterMs = STALE_AFTER_MS): Promise<string[]> {
  const { store } = env;
  const lock = store.getLock(MERGE_LOCK.name);
  if (lock && leaseIsLive(lock, env.ctx.clock.now().getTime(), staleAfterMs, isAliveHere))
    return [];
  // Recover holding the lock: a live merge moves a track to merging only while it holds it, so
  // no process can start a merge between our look at the tracks and what we do with them.
  const own = lock?.holder === env.holder.id;
  if (
    !own &&
    !store.acquireLock(MERGE_LOCK.name, env.holder, { staleAfterMs, isAlive: isAliveHere })
  )
    return [];
  try {
    if (lock && !own && lock.host === env.holder.host) killMergeOrphans(lock.holder);
    return await recoverMergesLocked(env);
  } finally {
    if (!own) store.releaseLock(MERGE_LOCK.name, env.holder.id);
  }
}

async function recoverMergesLocked(env: RunEnv): Promise<string[]> {
  const { store, config, git } = env;
  const merging = store.listTracks().filter((t) => t.state === 'merging');
  if (!merging.length) return [];
  const entries = new Map(store.listQueue().map((q) => [q.trackId, q]));
  const recovered: string[] = [];
  for (const t of merging) {
    const entry = entries.get(t.id);
    const head = entry?.headSha;
    const landed =
      entry?.step === 'landing' && head
        ? await git.ok(['merge-base', '--is-ancestor', head, `refs/heads/${config.target}`])
        : false;
    if (landed && head) {
      await catchUpCheckouts(env, t.id, head);
      store.transition(t.id, 'merged', {
        from: 'merging',
        patch: { mergedSha: head },
        reason: 'recorded after an interrupted merge',
      });
      store.dequeue(t.id);
      await cleanupAfterMerge(env, new LocalProvider(git, config), store.getTrack(t.id)!).catch(
        () => undefined,
      );
    } else {
      store.transition(t.id, 'ready', {
        from: 'merging',
        reason: 'merge interrupted; back in the queue',
      });
      if (entry) store.setQueueStep(t.id, null);
      else store.enqueue(t.id);
    }
    recovered.push(t.id);
  }
  return recovered;
}
