// What `doctor` verifies: the state in state.db against git and the filesystem. Each finding
// says what is wrong, where, and whether --fix can repair it safely; repairs never delete
// uncommitted work or unmerged commits.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkIntegrity } from '../state/db.js';
import { isActive } from '../state/lifecycle.js';
import type { RunEnv } from '../runtime/env.js';
import { branchFor } from '../runtime/env.js';
import { MERGE_LOCK, isAliveHere } from '../runtime/leases.js';
import { leaseIsLive } from '../flow/leases.js';
import { STALE_AFTER_MS } from '../engine/recover.js';
import {
  abortOperation,
  dirtyFiles,
  listWorktrees,
  operationInProgress,
} from '../git/worktrees.js';
import { isQueueWorktree } from '../worktrees/queue-pool.js';
import { readTrackFiles } from '../tracks/files.js';

export interface Finding {
  kind: string;
  subject: string;
  detail: string;
  /** Repairs it; absent when only the user can decide (never for anything that loses work). */
  fix?: () => Promise<string>;
}

export async function diagnose(env: RunEnv): Promise<Finding[]> {
  const { store, git, config, repo } = env;
  const findings: Finding[] = [];
  for (const problem of checkIntegrity(store.db)) {
    findings.push({ kind: 'database', subject: 'state.db', detail: `integrity check: ${problem}` });
  }
  const tracks = store.listTracks();
  const rebuilt = store.rebuildStatesFromEvents();
  for (const t of tracks) {
    if (rebuilt.get(t.id) !== t.state) {
      findings.push({
        kind: 'events',
        subject: t.id,
        detail: `state is ${t.state} but the event log says ${String(rebuilt.get(t.id))}`,
      });
    }
  }
  // Tracks whose docs exist but which the database does not know (e.g. a fresh clone).
  const known = new Set(tracks.map((t) => t.id));
  const files = readTrackFiles(repo.root);
  const unknown = files.filter((f) => !known.has(f.id));
  if (unknown.length) {
    findings.push({
      kind: 'docs',
      subject: unknown.map((f) => f.id).join(', '),
      detail: 'track docs not in state.db',
      fix: async () => {
        store.upsertTrackDefinitions(
          files.map((f) => ({ id: f.id, title: f.title, type: f.type, dependsOn: f.dependsOn })),
        );
        return 'added to state.db';
      },
    });
  }
  for (const run of store.staleRuns({ staleAfterMs: STALE_AFTER_MS, isAlive: isAliveHere })) {
    findings.push({
      kind: 'lease',
      subject: run.trackId,
      detail: `run ${run.id} is recorded as running, but its process (${run.leasePid ?? '?'} on ${run.leaseHost ?? '?'}) is gone or silent`,
      fix: async () => {
        const { recoverInterrupted } = await import('../engine/recover.js');
        const ids = await recoverInterrupted(env);
        return `marked interrupted: ${ids.join(', ') || run.trackId}; \`ym implement\` resumes it`;
      },
    });
  }
  const lock = store.getLock(MERGE_LOCK.name);
  if (lock && !leaseIsLive(lock, env.ctx.clock.now().getTime(), STALE_AFTER_MS, isAliveHere)) {
    findings.push({
      kind: 'lease',
      subject: 'merge queue',
      detail: `the merge lock is held by ${lock.holder}, which is gone`,
      fix: async () =>
        store.releaseLock(MERGE_LOCK.name, lock.holder) ? 'released' : 'already released',
    });
  }
  const worktrees = await listWorktrees(git);
  const byPath = new Map(worktrees.map((w) => [path.resolve(w.path), w]));
  for (const t of tracks) {
    if (!t.worktree) continue;
    if (!existsSync(t.worktree) || !byPath.has(path.resolve(t.worktree))) {
      findings.push({
        kind: 'worktree',
        subject: t.id,
        detail: `its worktree ${t.worktree} is gone${isActive(t.state) ? ` while the track is ${t.state}` : ''}`,
        fix: async () => {
          await git(['worktree', 'prune']);
          store.patchTrack(t.id, { worktree: null });
          return 'forgotten (the branch, if any, is kept; implement makes a new worktree from it)';
        },
      });
      continue;
    }
    const op = await operationInProgress(git, t.worktree).catch(() => null);
    if (op) {
      const running = isActive(t.state);
      findings.push({
        kind: 'worktree',
        subject: t.id,
        detail: `a ${op} is in progress in ${t.worktree}`,
        ...(running
          ? {}
          : { fix: async () => (await abortOperation(git, t.worktree!, op), `${op} aborted`) }),
      });
    }
  }
  const ours = new Set(tracks.flatMap((t) => (t.worktree ? [path.resolve(t.worktree)] : [])));
  for (const w of worktrees) {
    const p = path.resolve(w.path);
    if (!p.startsWith(env.worktreesDir + path.sep) || ours.has(p)) continue;
    // The speculative queue's pool: its own, reused by the next merge.
    if (isQueueWorktree(env, p)) continue;
    const dirty = existsSync(p) ? await dirtyFiles(git, p).catch(() => ['?']) : [];
    findings.push({
      kind: 'worktree',
      subject: p,
      detail: `a worktree in ${env.worktreesDir} that no track owns${dirty.length ? ` (with ${dirty.length} uncommitted change(s): kept)` : ''}`,
      ...(dirty.length
        ? {}
        : { fix: async () => (await git(['worktree', 'remove', p]), 'removed (it was clean)') }),
    });
  }
  const branches = (
    await git(['for-each-ref', '--format=%(refname:short)', `refs/heads/${config.branchPrefix}`])
  )
    .split('\n')
    .filter(Boolean);
  const trackBranches = new Set(tracks.map((t) => branchFor(config, t.id)));
  for (const b of branches) {
    if (trackBranches.has(b)) continue;
    const merged = await git.ok([
      'merge-base',
      '--is-ancestor',
      `refs/heads/${b}`,
      `refs/heads/${config.target}`,
    ]);
    const checkedOut = worktrees.some((w) => w.branch === b);
    findings.push({
      kind: 'branch',
      subject: b,
      detail: `a ${config.branchPrefix}* branch without a track${merged ? ' (fully merged)' : ' (with unmerged commits: kept)'}`,
      ...(merged && !checkedOut
        ? { fix: async () => (await git(['branch', '-d', b]), 'deleted (it was merged)') }
        : {}),
    });
  }
  for (const q of store.listQueue()) {
    const t = tracks.find((x) => x.id === q.trackId);
    if (t && !['ready', 'merging'].includes(t.state)) {
      findings.push({
        kind: 'queue',
        subject: t.id,
        detail: `in the merge queue but ${t.state}`,
        fix: async () => (store.dequeue(t.id), 'removed from the queue'),
      });
    }
  }
  return findings;
}
