// Everything `ym review` shows about one track, read without changing anything: which range to
// diff (the branch against the target's current head from their merge-base, as a pull request
// shows it; for a merged track what landed, `targetBefore..mergedSha` from its merge record, so
// it works after the branch was deleted), the files and patches, the command-bearing part, the
// latest checks, the plan on the branch and the usage the agents reported.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError, YmError } from '../core/errors.js';
import { countTasks, currentTask, parsePlan, type TaskMarker } from '../core/plan-md.js';
import { assertTrackId } from '../core/track.js';
import { requireConfig } from '../config/require.js';
import { createGit, type Git } from '../git/git.js';
import { readBlobs } from '../git/plans.js';
import { stateDbPath } from '../state/open.js';
import type { TrackRow } from '../state/rows.js';
import { archivedDocsPath, readTrackFiles, trackDocsPath } from '../tracks/files.js';
import { CONFIG_PATH, detectCommandBearing, type CommandBearingPart } from './command-bearing.js';
import { diffFiles, diffPatches, type DiffFile, type HunkStats } from './diff.js';
import { latestChecks, usageOf, type ReviewChecks, type ReviewUsage } from './events.js';
import { chooseRange, noBranchYet, resolveCommit, type Range } from './range.js';
import { APPROVAL_CARRIED, APPROVED, approvedShaOf } from '../flow/approval.js';
import type { EventRow } from '../state/rows.js';

export interface ReviewFile extends DiffFile {
  hunks: HunkStats[];
  commandBearing: boolean;
}

export interface ReviewPlan {
  source: 'branch' | 'checkout' | 'missing';
  tasks: Record<TaskMarker, number> & { total: number };
  current: { id: string; text: string } | null;
  error: string | null;
}

/** The `--json` document (docs/review.md). */
export interface ReviewDocument {
  track: {
    id: string;
    title: string;
    type: string;
    state: string;
    attempt: number;
    maxAttempts: number;
    agent: string | null;
    reason: string | null;
    archived: boolean;
  };
  /** `merge-base`: the branch against the target's head; `landed`: what its merge put on the target. */
  range: 'merge-base' | 'landed';
  target: { branch: string; sha: string | null };
  base: { sha: string };
  head: { sha: string; branch: string | null; branchExists: boolean };
  landing: Range['landing'];
  files: ReviewFile[];
  totals: { files: number; added: number; deleted: number; binary: number };
  commandBearing: CommandBearingPart[];
  checks: ReviewChecks | null;
  plan: ReviewPlan;
  usage: ReviewUsage | null;
  /** The approval gate (docs/review.md); null for what already landed. */
  approval: ReviewApproval | null;
}

export interface ReviewApproval {
  /** merge.requireApproval is on, or the diff changes what yardmaster runs. */
  needed: boolean;
  /** The last approval still standing (no rejection after it), whatever head it names. */
  approved: { sha: string; by: unknown; at: string } | null;
  /** The approval names the head under review. */
  current: boolean;
}

export interface Review {
  doc: ReviewDocument;
  /** Each file's part of the unified diff, by index into `doc.files`. */
  patches: string[];
}

const EMPTY_TASKS = { pending: 0, in_progress: 0, done: 0, skipped: 0, blocked: 0, total: 0 };

export async function gatherReview(rawId: string, ctx: Context): Promise<Review> {
  const id = assertTrackId(rawId);
  const { config } = await requireConfig(ctx);
  const repo = await ctx.repo();
  const git = createGit(ctx.run, repo.root);
  // Read-only: state.db is opened only when it exists, and track files are not synced into it.
  const store = existsSync(stateDbPath(repo.stateDir)) ? await ctx.state() : null;
  const row = store?.getTrack(id);
  if (!store || !row) {
    if (readTrackFiles(repo.root).some((f) => f.id === id)) throw noBranchYet(id);
    throw new UsageError(`Unknown track "${id}".`, { hint: 'Run `ym status` to list the tracks.' });
  }
  const targetSha = await resolveCommit(git, `refs/heads/${config.target}`);
  const branch = row.branch ?? `${config.branchPrefix}${id}`;
  const branchSha = await resolveCommit(git, `refs/heads/${branch}`);
  const range = await chooseRange(git, store, row, {
    target: config.target,
    targetSha,
    branch,
    branchSha,
  });

  const [listed, patches, hooksDir] = await Promise.all([
    diffFiles(git, range.base, range.head),
    diffPatches(git, range.base, range.head),
    committedHooksDir(git, repo.root),
  ]);
  const touchesConfig = listed.some((f) => f.path === CONFIG_PATH || f.oldPath === CONFIG_PATH);
  const specs = [`${range.head}:${trackDocsPath(id)}/plan.md`];
  if (touchesConfig) specs.push(`${range.base}:${CONFIG_PATH}`, `${range.head}:${CONFIG_PATH}`);
  const blobs = await readBlobs(ctx.run, repo.root, specs);
  const commandBearing = detectCommandBearing({
    changes: listed,
    config: {
      before: blobs.get(`${range.base}:${CONFIG_PATH}`) ?? null,
      after: blobs.get(`${range.head}:${CONFIG_PATH}`) ?? null,
    },
    hooksDir,
  });
  const bearing = new Set(commandBearing.map((p) => p.path));
  const files = listed.map((f, i): ReviewFile => ({
    ...f,
    hunks: patches[i]?.hunks ?? [],
    commandBearing: bearing.has(f.path),
  }));
  const events = store.listEvents({ trackId: id });
  const attempts = new Map(store.listRuns(id).map((r) => [r.id, r.attempt]));
  const doc: ReviewDocument = {
    track: {
      id,
      title: row.title,
      type: row.type,
      state: row.state,
      attempt: row.attempt,
      maxAttempts: config.attempts,
      agent: row.agent,
      reason: row.reason,
      archived: row.archived,
    },
    range: range.kind,
    target: { branch: config.target, sha: targetSha },
    base: { sha: range.base },
    head: { sha: range.head, branch, branchExists: branchSha !== null },
    landing: range.landing,
    files,
    totals: {
      files: files.length,
      added: files.reduce((s, f) => s + (f.added ?? 0), 0),
      deleted: files.reduce((s, f) => s + (f.deleted ?? 0), 0),
      binary: files.filter((f) => f.binary).length,
    },
    commandBearing,
    checks: latestChecks(events, range.head),
    plan: readPlan(blobs.get(specs[0] ?? '') ?? null, repo.root, row),
    usage: usageOf(events, (runId) => attempts.get(runId) ?? null),
    approval:
      range.kind === 'landed'
        ? null
        : approvalOf(events, range.head, config.merge.requireApproval || commandBearing.length > 0),
  };
  return { doc, patches: listed.map((_, i) => patches[i]?.text ?? '') };
}

function approvalOf(events: readonly EventRow[], head: string, needed: boolean): ReviewApproval {
  const sha = approvedShaOf(events);
  const last =
    sha === null
      ? undefined
      : [...events].reverse().find((e) => e.type === APPROVED || e.type === APPROVAL_CARRIED);
  const data = (last?.data ?? {}) as { by?: unknown };
  const approved = sha !== null && last ? { sha, by: data.by ?? null, at: last.at } : null;
  return { needed, approved, current: approved?.sha === head };
}

/** core.hooksPath relative to the root when it points inside the repository (so hooks are files a diff can change). */
export async function committedHooksDir(git: Git, root: string): Promise<string | null> {
  const value = await git(['config', '--path', '--get', 'core.hooksPath'], { reject: false });
  if (value === '') return null;
  const rel = path.relative(root, path.resolve(root, value));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

function readPlan(fromBranch: string | null, root: string, row: TrackRow): ReviewPlan {
  let text = fromBranch;
  let source: ReviewPlan['source'] = text === null ? 'missing' : 'branch';
  if (text === null) {
    const file = path.join(
      root,
      row.archived ? archivedDocsPath(row.id) : trackDocsPath(row.id),
      'plan.md',
    );
    if (existsSync(file)) {
      text = readFileSync(file, 'utf8');
      source = 'checkout';
    }
  }
  if (text === null)
    return { source, tasks: { ...EMPTY_TASKS }, current: null, error: 'plan.md not found' };
  try {
    const plan = parsePlan(text, `${trackDocsPath(row.id)}/plan.md`);
    const task = currentTask(plan);
    return {
      source,
      tasks: countTasks(plan),
      current: task ? { id: task.id, text: task.text } : null,
      error: null,
    };
  } catch (err) {
    return {
      source,
      tasks: { ...EMPTY_TASKS },
      current: null,
      error: err instanceof YmError ? err.message : String(err),
    };
  }
}
