// One snapshot of everything `status` shows: tracks with their state, dependencies and plan
// progress (read from the track's branch when it has one, else from the checkout), and the queue.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { countTasks, currentTask, parsePlan, type TaskMarker } from '../core/plan-md.js';
import { YmError } from '../core/errors.js';
import { listBranches, readBlobs } from '../git/plans.js';
import { archivedDocsPath, trackDocsPath } from '../tracks/paths.js';
import { readTrackFilesCached } from '../tracks/cached.js';
import type { TrackState } from '../state/lifecycle.js';
import { lastWorkers, META_FLEET_SEEN } from '../fleet/workers-seen.js';
import {
  noUsage,
  sumUsage,
  usageByTrack,
  usagePerRun,
  type TrackUsage,
  type UsageTotals,
} from '../core/usage.js';

export interface TrackSnapshot {
  id: string;
  title: string;
  type: string;
  state: TrackState;
  dependsOn: string[];
  /** Dependencies that are not merged yet. */
  waitingOn: string[];
  attempt: number;
  maxAttempts: number;
  agent: string | null;
  branch: string | null;
  worktree: string | null;
  reason: string | null;
  mergedSha: string | null;
  updatedAt: string;
  tasks: Record<TaskMarker, number> & { total: number };
  currentTask: { id: string; text: string } | null;
  /** Where plan.md was read: the track's branch, the checkout, or nowhere. */
  planSource: 'branch' | 'checkout' | 'missing';
  /** Conflict radar: the target and other tracks this track's branch would conflict with. */
  conflicts: string[];
  planError: string | null;
  docsMissing: boolean;
  /** Its docs were moved under yardmaster/archive/ (`ym archive`). */
  archived: boolean;
  /** What its agents used, summed over its attempts, and per attempt (docs/status.md). */
  usage: TrackUsage;
  /** The fleet worker that ran its last attempt (engine bullmq; docs/scale.md). */
  worker?: string | null;
}

export interface StatusSnapshot {
  repository: string;
  target: string;
  provider: string;
  concurrency: number;
  generatedAt: string;
  counts: Partial<Record<TrackState, number>>;
  tracks: TrackSnapshot[];
  /** The usage of every attempt in state.db, summed. */
  usage: UsageTotals;
  queue: {
    trackId: string;
    enqueuedAt: string;
    step: string | null;
    headSha: string | null;
    paused: boolean;
  }[];
}

/** Past this many active branches the radar is skipped (pairs grow quadratically). */
const RADAR_MAX_BRANCHES = 12;
const RADAR_STATES: readonly TrackState[] = [
  'running',
  'validating',
  'ready',
  'merging',
  'conflicted',
];

async function addConflictRadar(
  ctx: Context,
  root: string,
  target: string,
  tracks: TrackSnapshot[],
  branches: Set<string>,
  branchOf: (id: string, branch: string | null) => string,
): Promise<void> {
  const active = tracks.filter(
    (t) => RADAR_STATES.includes(t.state) && branches.has(branchOf(t.id, t.branch)),
  );
  if (active.length === 0 || active.length > RADAR_MAX_BRANCHES) return;
  const { conflictRadar } = await import('../merge/radar.js');
  const { createGit } = await import('../git/git.js');
  const refs = new Map(active.map((t) => [t.id, `refs/heads/${branchOf(t.id, t.branch)}`]));
  const byId = new Map(tracks.map((t) => [t.id, t]));
  for (const p of await conflictRadar(createGit(ctx.run, root), target, refs)) {
    if (p.a === target) byId.get(p.b)?.conflicts.push(target);
    else {
      byId.get(p.a)?.conflicts.push(p.b);
      byId.get(p.b)?.conflicts.push(p.a);
    }
  }
}

const EMPTY_COUNTS = { pending: 0, in_progress: 0, done: 0, skipped: 0, blocked: 0, total: 0 };

export interface SnapshotOptions {
  /** Run the conflict radar (default true); the live view's first frame goes without it. */
  radar?: boolean;
}

export async function buildSnapshot(
  ctx: Context,
  opts: SnapshotOptions = {},
): Promise<StatusSnapshot> {
  const [repo, loaded, store] = await Promise.all([ctx.repo(), ctx.config(), ctx.state()]);
  const { config } = loaded;
  const { files, fromCache } = await readTrackFilesCached(repo.root, repo.stateDir);
  let rows = store.listTracks();
  // Unchanged files already mirrored in the database need no write (and no zod); otherwise sync.
  const inDb = new Set(rows.map((r) => r.id));
  if (!fromCache || files.some((f) => !inDb.has(f.id))) {
    const { syncTrackDefinitions } = await import('../tracks/register.js');
    syncTrackDefinitions(store, files);
    rows = store.listTracks();
  }
  const withFiles = new Set(files.map((f) => f.id));
  const branchOf = (id: string, branch: string | null) => branch ?? `${config.branchPrefix}${id}`;
  // Only ask git about branches when some track has started; a fresh plan costs no git call.
  const anyStarted = rows.some((r) => r.branch !== null);
  const branches = anyStarted
    ? await listBranches(ctx.run, repo.root, config.branchPrefix)
    : new Set<string>();
  const specs = rows
    .filter((r) => branches.has(branchOf(r.id, r.branch)))
    .map((r) => `${branchOf(r.id, r.branch)}:${trackDocsPath(r.id)}/plan.md`);
  const blobs = await readBlobs(ctx.run, repo.root, specs);
  const states = new Map(rows.map((r) => [r.id, r.state]));
  const runUsage = usagePerRun(store.listUsageEvents());
  const usage = usageByTrack(runUsage);
  const workers =
    store.getMeta(META_FLEET_SEEN) === '1' ? lastWorkers(store) : new Map<string, string>();
  const tracks = rows.map((r): TrackSnapshot => {
    const spec = `${branchOf(r.id, r.branch)}:${trackDocsPath(r.id)}/plan.md`;
    let text = blobs.get(spec) ?? null;
    let planSource: TrackSnapshot['planSource'] = text === null ? 'missing' : 'branch';
    const docs = r.archived ? archivedDocsPath(r.id) : trackDocsPath(r.id);
    if (text === null) {
      try {
        text = readFileSync(`${repo.root}/${docs}/plan.md`, 'utf8');
        planSource = 'checkout';
      } catch {
        // No plan.md in the checkout either.
      }
    }
    let tasks = { ...EMPTY_COUNTS };
    let current: TrackSnapshot['currentTask'] = null;
    let planError: string | null = null;
    if (text !== null) {
      try {
        const plan = parsePlan(text, `${trackDocsPath(r.id)}/plan.md`);
        tasks = countTasks(plan);
        const task = currentTask(plan);
        current = task ? { id: task.id, text: task.text } : null;
      } catch (err) {
        planError = err instanceof YmError ? err.message : String(err);
      }
    }
    return {
      id: r.id,
      title: r.title,
      type: r.type,
      state: r.state,
      dependsOn: r.dependsOn,
      waitingOn: r.dependsOn.filter((d) => states.get(d) !== 'merged'),
      attempt: r.attempt,
      maxAttempts: config.attempts,
      agent: r.agent,
      branch: r.branch,
      worktree: r.worktree,
      reason: r.reason,
      mergedSha: r.mergedSha,
      updatedAt: r.updatedAt,
      tasks,
      currentTask: current,
      planSource,
      planError,
      docsMissing:
        !withFiles.has(r.id) &&
        !(r.archived && existsSync(path.join(repo.root, docs, 'track.json'))),
      archived: r.archived,
      conflicts: [],
      usage: usage.get(r.id) ?? noUsage(),
      ...(workers.has(r.id) ? { worker: workers.get(r.id)! } : {}),
    };
  });
  if (opts.radar !== false)
    await addConflictRadar(ctx, repo.root, config.target, tracks, branches, branchOf);
  const counts: Partial<Record<TrackState, number>> = {};
  for (const t of tracks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return {
    repository: repo.root,
    target: config.target,
    provider: config.merge.provider,
    concurrency: config.concurrency,
    generatedAt: ctx.clock.now().toISOString(),
    counts,
    tracks,
    usage: sumUsage(runUsage),
    queue: store.listQueue().map((q) => ({
      trackId: q.trackId,
      enqueuedAt: q.enqueuedAt,
      step: q.step,
      headSha: q.headSha,
      paused: q.paused,
    })),
  };
}
