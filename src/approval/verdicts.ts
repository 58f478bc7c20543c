// `ym approve ID... | --all` and `ym reject ID --reason TEXT`: a person's word on a ready track,
// recorded in state.db with who (the repository's git user) and the SHA it is about. An approval
// lets that exact head enter the merge queue (the gate is src/flow/approval.ts); a rejection sends
// the track back to its agent with the reason as feedback (src/flow/attempts.ts decideReject).
// Every id is checked before anything changes: bad input changes nothing.
import { existsSync } from 'node:fs';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { assertTrackId } from '../core/track.js';
import { requireConfig } from '../config/require.js';
import { APPROVED, REJECTED } from '../flow/approval.js';
import { decideReject } from '../flow/attempts.js';
import { createGit, type Git } from '../git/git.js';
import { resolveCommit } from '../review/range.js';
import { approvalFacts } from './facts.js';
import { stateDbPath } from '../state/open.js';
import type { TrackRow } from '../state/rows.js';
import type { StateStore } from '../state/store.js';
import { readTrackFiles } from '../tracks/files.js';
import type { Config } from '../config/schema.js';

export interface ApproveOptions {
  ids: string[];
  all: boolean;
}

export interface Target {
  row: TrackRow;
  sha: string;
  /** What in its diff changes what yardmaster or CI runs: the approval covers that too. */
  commandBearing: readonly string[];
}

export async function approve(opts: ApproveOptions, ctx: Context): Promise<void> {
  if (opts.all && opts.ids.length) throw new UsageError('Name tracks or pass --all, not both.');
  if (!opts.all && !opts.ids.length)
    throw new UsageError('Name the track(s) to approve, or pass --all.', {
      hint: 'List the ready tracks with `ym status`.',
    });
  const { approved, by } = await approveTracks(ctx, opts.all ? null : opts.ids);
  if (ctx.json) {
    ctx.out.json({
      approved: approved.map((t) => ({
        id: t.row.id,
        sha: t.sha,
        by,
        commandBearing: t.commandBearing,
      })),
    });
    return;
  }
  if (!approved.length) {
    ctx.out.line('Nothing to approve: no track is ready.');
    return;
  }
  for (const t of approved) {
    ctx.out.line(`Approved ${t.row.id} at ${t.sha.slice(0, 12)} (by ${describeUser(by)}).`);
    for (const part of t.commandBearing)
      ctx.out.line(`  ⚠ this approves a change to what yardmaster runs: ${part}`);
  }
  ctx.out.line('Run `ym merge` to land it, or `ym implement` to go on with the run.');
}

/**
 * Records an approval of each track's current head (`ids` null: every ready track); every id
 * is checked first, so a bad one changes nothing. Used by `ym approve` and the live view's `a`.
 * `seen` (the live view's diff) names the head a person read, per track: a head that moved since
 * is refused, so an approval never covers commits nobody was shown.
 */
export async function approveTracks(
  ctx: Context,
  ids: readonly string[] | null,
  seen: ReadonlyMap<string, string> = new Map(),
): Promise<{ approved: Target[]; by: GitUser }> {
  const { config, store, git } = await open(ctx, ids ?? []);
  const rows =
    ids === null
      ? (store?.listTracks() ?? []).filter((t) => t.state === 'ready')
      : ids.map((id) => readyTrack(store, id, 'approved'));
  const approved: Target[] = [];
  const root = (await ctx.repo()).root;
  for (const row of rows) {
    const sha = await headOf(git, config, row);
    const read = seen.get(row.id);
    if (read !== undefined && read !== sha)
      throw new UsageError(
        `${row.id} moved since its diff was read: its head is now ${sha.slice(0, 12)}, the diff showed ${read.slice(0, 12)}. Nothing approved.`,
        { hint: `Read it again (\`d\`, or \`ym review ${row.id}\`), then approve.` },
      );
    const facts = store
      ? await approvalFacts(
          { git, run: ctx.run, root, store, target: config.target },
          row.id,
          row.branch ?? `${config.branchPrefix}${row.id}`,
        )
      : null;
    approved.push({ row, sha, commandBearing: facts?.head === sha ? facts.commandBearing : [] });
  }
  const by = await gitUser(git);
  if (!store || !approved.length) return { approved: [], by };
  store.atomically(() => {
    for (const t of approved)
      store.appendEvent({ trackId: t.row.id, type: APPROVED, data: { sha: t.sha, by } });
  });
  return { approved, by };
}

export interface RejectOptions {
  id: string;
  reason: string | undefined;
}

export async function reject(opts: RejectOptions, ctx: Context): Promise<void> {
  const r = await rejectTrack(ctx, opts.id, opts.reason);
  if (ctx.json) {
    ctx.out.json({
      rejected: { id: r.id, sha: r.sha, by: r.by, reason: r.reason },
      state: r.state,
      attempt: r.attempt,
    });
  } else {
    ctx.out.line(r.message);
  }
}

export interface Rejection {
  id: string;
  sha: string;
  by: GitUser;
  reason: string;
  state: 'queued' | 'failed';
  attempt: number;
  /** One line saying what happened. */
  message: string;
}

/** Records a rejection and sends the track back to its agent (or fails it). `ym reject` and the live view's `x`. */
export async function rejectTrack(
  ctx: Context,
  id: string,
  rawReason: string | undefined,
): Promise<Rejection> {
  const reason = (rawReason ?? '').trim();
  if (!reason)
    throw new UsageError('--reason must say what to change: it is what the agent is told.', {
      hint: 'ym reject ID --reason "use the existing helper"',
    });
  const { config, store, git } = await open(ctx, [id]);
  const row = readyTrack(store, id, 'rejected');
  const sha = await headOf(git, config, row);
  const by = await gitUser(git);
  const decision = decideReject({ attempt: row.attempt, maxAttempts: config.attempts, reason });
  const s = store!;
  s.atomically(() => {
    s.appendEvent({ trackId: row.id, type: REJECTED, data: { sha, by, reason } });
    s.dequeue(row.id);
    if (decision.kind === 'requeue') {
      s.appendEvent({ trackId: row.id, type: 'track.feedback', data: { text: decision.feedback } });
      s.transition(row.id, 'queued', {
        from: 'ready',
        reason: `rejected: ${reason}`,
        patch: { attempt: decision.attempt },
      });
    } else {
      s.transition(row.id, 'failed', { from: 'ready', reason: decision.reason });
    }
  });
  const base = { id: row.id, sha, by, reason };
  return decision.kind === 'requeue'
    ? {
        ...base,
        state: 'queued',
        attempt: decision.attempt,
        message: `Rejected ${row.id} at ${sha.slice(0, 12)}: back to its agent as attempt ${decision.attempt} of ${config.attempts}. Run \`ym implement\` to run it.`,
      }
    : {
        ...base,
        state: 'failed',
        attempt: row.attempt,
        message: `Rejected ${row.id} at ${sha.slice(0, 12)}: failed, ${decision.reason}.`,
      };
}

async function open(
  ctx: Context,
  ids: readonly string[],
): Promise<{ config: Config; store: StateStore | null; git: Git }> {
  for (const id of ids) assertTrackId(id);
  const { config } = await requireConfig(ctx);
  const repo = await ctx.repo();
  const git = createGit(ctx.run, repo.root);
  if (existsSync(stateDbPath(repo.stateDir))) return { config, store: await ctx.state(), git };
  // Nothing has run here: no track can be ready, and no state.db is made to say so.
  const id = ids[0];
  if (id !== undefined) {
    throw readTrackFiles(repo.root).some((f) => f.id === id)
      ? notReady(id, 'planned', 'approved')
      : unknownTrack(id);
  }
  return { config, store: null, git };
}

function readyTrack(store: StateStore | null, id: string, what: 'approved' | 'rejected'): TrackRow {
  const row = store?.getTrack(id);
  if (!row) throw unknownTrack(id);
  if (row.state !== 'ready') throw notReady(id, row.state, what);
  return row;
}

async function headOf(git: Git, config: Config, row: TrackRow): Promise<string> {
  const branch = row.branch ?? `${config.branchPrefix}${row.id}`;
  const sha = await resolveCommit(git, `refs/heads/${branch}`);
  if (sha === null)
    throw new UsageError(`Track ${row.id} is ready, but its branch ${branch} does not exist.`, {
      hint: '`ym status` shows the track.',
    });
  return sha;
}

function unknownTrack(id: string): UsageError {
  return new UsageError(`Unknown track "${id}".`, { hint: 'List the tracks with `ym status`.' });
}

function notReady(id: string, state: string, what: 'approved' | 'rejected'): UsageError {
  if (state === 'merged')
    return new UsageError(
      `Track ${id} is already merged: there is nothing to ${what === 'approved' ? 'approve' : 'reject'}.`,
      { hint: `\`ym review ${id}\` shows what landed; \`ym revert ${id}\` undoes it.` },
    );
  return new UsageError(
    `Track ${id} is ${state}, not ready: only a validated track can be ${what}.`,
    {
      hint:
        state === 'merging'
          ? 'It is being merged now.'
          : `Run \`ym implement ${id}\` to validate it first.`,
    },
  );
}

export interface GitUser {
  name: string | null;
  email: string | null;
}

async function gitUser(git: Git): Promise<GitUser> {
  const [name, email] = await Promise.all([
    git(['config', 'user.name'], { reject: false }),
    git(['config', 'user.email'], { reject: false }),
  ]);
  return { name: name || null, email: email || null };
}

export function describeUser(u: GitUser): string {
  if (u.name && u.email) return `${u.name} <${u.email}>`;
  return u.name ?? u.email ?? 'an unknown git user';
}
