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
import { stateDbPath } from '../state/open.js';
import type { TrackRow } from '../state/rows.js';
import type { StateStore } from '../state/store.js';
import { readTrackFiles } from '../tracks/files.js';
import type { Config } from '../config/schema.js';

export interface ApproveOptions {
  ids: string[];
  all: boolean;
}

interface Target {
  row: TrackRow;
  sha: string;
}

export async function approve(opts: ApproveOptions, ctx: Context): Promise<void> {
  if (opts.all && opts.ids.length) throw new UsageError('Name tracks or pass --all, not both.');
  if (!opts.all && !opts.ids.length) throw new UsageError('Name the track(s) to approve, or pass --all.', { hint: 'List the ready tracks with `ym status`.' });
  const { config, store, git } = await open(ctx, opts.ids);
  const rows = opts.all ? (store?.listTracks() ?? []).filter((t) => t.state === 'ready') : opts.ids.map((id) => readyTrack(store, id, 'approved'));
  const targets: Target[] = [];
  for (const row of rows) targets.push({ row, sha: await headOf(git, config, row) });
  if (!store || !targets.length) {
    if (ctx.json) ctx.out.json({ approved: [] });
    else ctx.out.line('Nothing to approve: no track is ready.');
    return;
  }
  const by = await gitUser(git);
  store.atomically(() => {
    for (const t of targets) store.appendEvent({ trackId: t.row.id, type: APPROVED, data: { sha: t.sha, by } });
  });
  if (ctx.json) {
    ctx.out.json({ approved: targets.map((t) => ({ id: t.row.id, sha: t.sha, by })) });
    return;
  }
  for (const t of targets) ctx.out.line(`Approved ${t.row.id} at ${t.sha.slice(0, 12)} (by ${describeUser(by)}).`);
  ctx.out.line('Run `ym merge` to land it, or `ym implement` to go on with the run.');
}

export interface RejectOptions {
  id: string;
  reason: string | undefined;
}

export async function reject(opts: RejectOptions, ctx: Context): Promise<void> {
  const reason = (opts.reason ?? '').trim();
  if (!reason) throw new UsageError('--reason must say what to change: it is what the agent is told.', { hint: 'ym reject ID --reason "use the existing helper"' });
  const { config, store, git } = await open(ctx, [opts.id]);
  const row = readyTrack(store, opts.id, 'rejected');
  const sha = await headOf(git, config, row);
  const by = await gitUser(git);
  const decision = decideReject({ attempt: row.attempt, maxAttempts: config.attempts, reason });
  const s = store!;
  s.atomically(() => {
    s.appendEvent({ trackId: row.id, type: REJECTED, data: { sha, by, reason } });
    s.dequeue(row.id);
    if (decision.kind === 'requeue') {
      s.appendEvent({ trackId: row.id, type: 'track.feedback', data: { text: decision.feedback } });
      s.transition(row.id, 'queued', { from: 'ready', reason: `rejected: ${reason}`, patch: { attempt: decision.attempt } });
    } else {
      s.transition(row.id, 'failed', { from: 'ready', reason: decision.reason });
    }
  });
  if (ctx.json) {
    ctx.out.json({ rejected: { id: row.id, sha, by, reason }, state: decision.kind === 'requeue' ? 'queued' : 'failed', attempt: decision.kind === 'requeue' ? decision.attempt : row.attempt });
  } else if (decision.kind === 'requeue') {
    ctx.out.line(`Rejected ${row.id} at ${sha.slice(0, 12)}: back to its agent as attempt ${decision.attempt} of ${config.attempts}. Run \`ym implement\` to run it.`);
  } else {
    ctx.out.line(`Rejected ${row.id} at ${sha.slice(0, 12)}: failed, ${decision.reason}.`);
  }
}

async function open(ctx: Context, ids: readonly string[]): Promise<{ config: Config; store: StateStore | null; git: Git }> {
  for (const id of ids) assertTrackId(id);
  const { config } = await requireConfig(ctx);
  const repo = await ctx.repo();
  const git = createGit(ctx.run, repo.root);
  if (existsSync(stateDbPath(repo.stateDir))) return { config, store: await ctx.state(), git };
  // Nothing has run here: no track can be ready, and no state.db is made to say so.
  const id = ids[0];
  if (id !== undefined) {
    throw readTrackFiles(repo.root).some((f) => f.id === id) ? notReady(id, 'planned', 'approved') : unknownTrack(id);
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
  if (sha === null) throw new UsageError(`Track ${row.id} is ready, but its branch ${branch} does not exist.`, { hint: '`ym status` shows the track.' });
  return sha;
}

function unknownTrack(id: string): UsageError {
  return new UsageError(`Unknown track "${id}".`, { hint: 'List the tracks with `ym status`.' });
}

function notReady(id: string, state: string, what: 'approved' | 'rejected'): UsageError {
  if (state === 'merged') return new UsageError(`Track ${id} is already merged: there is nothing to ${what === 'approved' ? 'approve' : 'reject'}.`, { hint: `\`ym review ${id}\` shows what landed; \`ym revert ${id}\` undoes it.` });
  return new UsageError(`Track ${id} is ${state}, not ready: only a validated track can be ${what}.`, {
    hint: state === 'merging' ? 'It is being merged now.' : `Run \`ym implement ${id}\` to validate it first.`,
  });
}

interface GitUser {
  name: string | null;
  email: string | null;
}

async function gitUser(git: Git): Promise<GitUser> {
  const [name, email] = await Promise.all([git(['config', 'user.name'], { reject: false }), git(['config', 'user.email'], { reject: false })]);
  return { name: name || null, email: email || null };
}

function describeUser(u: GitUser): string {
  if (u.name && u.email) return `${u.name} <${u.email}>`;
  return u.name ?? u.email ?? 'an unknown git user';
}
