// Tracks: their definitions, their dependencies, and state changes checked against the lifecycle.
// Every change appends its event in the same transaction, so the event log alone can rebuild state.

import { UsageError } from '../core/errors.js';
import type { StoreContext } from './context.js';
import { InvalidTransitionError, StateConflictError } from './errors.js';
import { ALLOWED_TRANSITIONS, canTransition, isTrackState, type TrackState } from './lifecycle.js';
import { toTrackRow, type DbTrack, type TrackRow } from './rows.js';

export interface TrackDefinition {
  id: string;
  title: string;
  type: string;
  dependsOn: readonly string[];
}

export interface TrackPatch {
  branch: string | null;
  worktree: string | null;
  agent: string | null;
  attempt: number;
  mergedSha: string | null;
}

export interface TransitionOptions {
  /** Compare-and-swap: the state(s) the caller believes the track is in. */
  from?: TrackState | readonly TrackState[];
  runId?: number;
  /** Why it is in the new state; stored on the track (cleared when omitted) and in the event. */
  reason?: string | null;
  /** Extra event data; cannot override from, to or reason. */
  data?: Record<string, unknown>;
  /** Columns to change with the state; omitted keys keep their value. */
  patch?: Partial<TrackPatch>;
}

export function unknownTrack(id: string): UsageError {
  return new UsageError(`Unknown track "${id}".`, {
    hint: 'List the tracks with `yardmaster status`.',
  });
}

export function upsertTrackDefinitions(ctx: StoreContext, defs: readonly TrackDefinition[]): void {
  const batch = new Set<string>();
  for (const def of defs) {
    if (batch.has(def.id))
      throw new UsageError(`Track "${def.id}" is defined twice in the same batch.`);
    batch.add(def.id);
  }
  ctx.write(() => {
    const existing = new Map(
      ctx
        .stmt<[], DbTrack>('SELECT * FROM tracks')
        .all()
        .map((row) => [row.id, row]),
    );
    const currentDeps = depsByTrack(ctx);

    const unknown: string[] = [];
    for (const def of defs) {
      for (const dep of def.dependsOn) {
        if (dep === def.id) throw new UsageError(`Track "${def.id}" depends on itself.`);
        if (!batch.has(dep) && !existing.has(dep)) unknown.push(`${def.id} -> ${dep}`);
      }
    }
    if (unknown.length > 0) {
      throw new UsageError(`Unknown track in dependsOn: ${unknown.join(', ')}.`, {
        hint: 'Define the missing tracks in the same plan, or fix the ids in dependsOn.',
      });
    }

    const now = ctx.now();
    const insertTrack = ctx.stmt<[string, string, string, string, string]>(
      "INSERT INTO tracks (id, title, type, state, created_at, updated_at) VALUES (?, ?, ?, 'planned', ?, ?)",
    );
    const updateTrack = ctx.stmt<[string, string, string, string]>(
      'UPDATE tracks SET title = ?, type = ?, updated_at = ? WHERE id = ?',
    );
    // Tracks first, dependencies second: a dependency may point at a track later in the batch.
    const depsToWrite: [string, string[]][] = [];
    for (const def of defs) {
      const dependsOn = [...new Set(def.dependsOn)];
      const data = { title: def.title, type: def.type, dependsOn };
      const before = existing.get(def.id);
      if (before === undefined) {
        insertTrack.run(def.id, def.title, def.type, now, now);
        ctx.insertEvent({ trackId: def.id, type: 'track.created', data });
        depsToWrite.push([def.id, dependsOn]);
        continue;
      }
      const oldDeps = currentDeps.get(def.id) ?? [];
      const depsChanged = oldDeps.join('\0') !== dependsOn.join('\0');
      if (before.title === def.title && before.type === def.type && !depsChanged) continue;
      updateTrack.run(def.title, def.type, now, def.id);
      ctx.insertEvent({ trackId: def.id, type: 'track.updated', data });
      if (depsChanged) depsToWrite.push([def.id, dependsOn]);
    }
    const clearDeps = ctx.stmt<[string]>('DELETE FROM track_deps WHERE track_id = ?');
    const insertDep = ctx.stmt<[string, string]>(
      'INSERT INTO track_deps (track_id, depends_on) VALUES (?, ?)',
    );
    for (const [id, dependsOn] of depsToWrite) {
      clearDeps.run(id);
      for (const dep of dependsOn) insertDep.run(id, dep);
    }
  });
}

export function getTrack(ctx: StoreContext, id: string): TrackRow | undefined {
  return ctx.read(() => {
    const row = ctx.stmt<[string], DbTrack>('SELECT * FROM tracks WHERE id = ?').get(id);
    if (row === undefined) return undefined;
    const deps = ctx
      .stmt<[string], string>('SELECT depends_on FROM track_deps WHERE track_id = ? ORDER BY rowid')
      .pluck()
      .all(id);
    return toTrackRow(row, deps);
  });
}

/** Every track, oldest first, with its dependencies: two queries whatever the number of tracks. */
export function listTracks(ctx: StoreContext): TrackRow[] {
  return ctx.read(() => {
    const rows = ctx.stmt<[], DbTrack>('SELECT * FROM tracks ORDER BY created_at, rowid').all();
    const deps = depsByTrack(ctx);
    return rows.map((row) => toTrackRow(row, deps.get(row.id) ?? []));
  });
}

export function transition(
  ctx: StoreContext,
  trackId: string,
  to: TrackState,
  opts: TransitionOptions = {},
): TrackRow {
  return ctx.write(() => {
    const row = ctx.stmt<[string], DbTrack>('SELECT * FROM tracks WHERE id = ?').get(trackId);
    if (row === undefined) throw unknownTrack(trackId);
    const from = toTrackRow(row, []).state;

    if (opts.from !== undefined) {
      const expected: readonly TrackState[] =
        typeof opts.from === 'string' ? [opts.from] : opts.from;
      if (!expected.includes(from))
        throw new StateConflictError(`Track ${trackId}`, expected, from);
    }
    if (!canTransition(from, to)) {
      throw new InvalidTransitionError(trackId, from, to, ALLOWED_TRANSITIONS[from]);
    }

    const patch = opts.patch ?? {};
    const reason = opts.reason ?? null;
    ctx
      .stmt(
        `UPDATE tracks SET state = @state, reason = @reason, branch = @branch, worktree = @worktree,
           agent = @agent, attempt = @attempt, merged_sha = @mergedSha, updated_at = @updatedAt
         WHERE id = @id`,
      )
      .run({
        id: trackId,
        state: to,
        reason,
        branch: patch.branch !== undefined ? patch.branch : row.branch,
        worktree: patch.worktree !== undefined ? patch.worktree : row.worktree,
        agent: patch.agent !== undefined ? patch.agent : row.agent,
        attempt: patch.attempt ?? row.attempt,
        mergedSha: patch.mergedSha !== undefined ? patch.mergedSha : row.merged_sha,
        updatedAt: ctx.now(),
      });
    const patchData = Object.keys(patch).length > 0 ? { patch } : {};
    ctx.insertEvent({
      trackId,
      runId: opts.runId ?? null,
      type: 'track.state',
      data: { ...opts.data, ...patchData, from, to, reason },
    });

    const updated = ctx.stmt<[string], DbTrack>('SELECT * FROM tracks WHERE id = ?').get(trackId);
    if (updated === undefined) throw unknownTrack(trackId);
    const deps = ctx
      .stmt<[string], string>('SELECT depends_on FROM track_deps WHERE track_id = ? ORDER BY rowid')
      .pluck()
      .all(trackId);
    return toTrackRow(updated, deps);
  });
}

/** Changes a track's columns (worktree, branch, agent, attempt) without a state change; logged. */
export function patchTrack(ctx: StoreContext, trackId: string, patch: Partial<TrackPatch>): void {
  ctx.write(() => {
    const row = ctx.stmt<[string], DbTrack>('SELECT * FROM tracks WHERE id = ?').get(trackId);
    if (row === undefined) throw unknownTrack(trackId);
    const next = {
      branch: patch.branch !== undefined ? patch.branch : row.branch,
      worktree: patch.worktree !== undefined ? patch.worktree : row.worktree,
      agent: patch.agent !== undefined ? patch.agent : row.agent,
      attempt: patch.attempt ?? row.attempt,
      mergedSha: patch.mergedSha !== undefined ? patch.mergedSha : row.merged_sha,
    };
    if (
      next.branch === row.branch &&
      next.worktree === row.worktree &&
      next.agent === row.agent &&
      next.attempt === row.attempt &&
      next.mergedSha === row.merged_sha
    ) {
      return;
    }
    ctx
      .stmt(
        `UPDATE tracks SET branch = @branch, worktree = @worktree, agent = @agent, attempt = @attempt,
           merged_sha = @mergedSha, updated_at = @updatedAt WHERE id = @id`,
      )
      .run({ id: trackId, ...next, updatedAt: ctx.now() });
    ctx.insertEvent({ trackId, runId: null, type: 'track.patch', data: { patch } });
  });
}

/** Marks a track archived (its docs moved under yardmaster/archive/) or not; logged. */
export function setArchived(
  ctx: StoreContext,
  trackId: string,
  archived: boolean,
  data: Record<string, unknown> = {},
): void {
  ctx.write(() => {
    const row = ctx.stmt<[string], DbTrack>('SELECT * FROM tracks WHERE id = ?').get(trackId);
    if (row === undefined) throw unknownTrack(trackId);
    if ((row.archived !== 0) === archived) return;
    ctx
      .stmt<[number, string, string]>('UPDATE tracks SET archived = ?, updated_at = ? WHERE id = ?')
      .run(archived ? 1 : 0, ctx.now(), trackId);
    ctx.insertEvent({
      trackId,
      runId: null,
      type: archived ? 'track.archived' : 'track.unarchived',
      data,
    });
  });
}

/**
 * Replays `track.created` and `track.state` events to recompute every track's state. If the event
 * log is complete this equals the tracks table; `doctor` reports any difference.
 */
export function rebuildStatesFromEvents(ctx: StoreContext): Map<string, TrackState> {
  return ctx.read(() => {
    const states = new Map<string, TrackState>();
    const events = ctx.stmt<
      [],
      { id: number; track_id: string | null; type: string; data: string }
    >(
      "SELECT id, track_id, type, data FROM events WHERE type IN ('track.created', 'track.state') ORDER BY id",
    );
    for (const event of events.iterate()) {
      if (event.track_id === null) continue;
      if (event.type === 'track.created') {
        states.set(event.track_id, 'planned');
        continue;
      }
      const to = (JSON.parse(event.data) as { to?: unknown }).to;
      if (!isTrackState(to)) {
        throw new UsageError(
          `state.db is inconsistent: event ${event.id} moves track ${event.track_id} to an unknown state.`,
          {
            hint: 'Run `yardmaster doctor` to inspect it.',
          },
        );
      }
      states.set(event.track_id, to);
    }
    return states;
  });
}

function depsByTrack(ctx: StoreContext): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  const rows = ctx
    .stmt<[], { track_id: string; depends_on: string }>(
      'SELECT track_id, depends_on FROM track_deps ORDER BY rowid',
    )
    .all();
  for (const { track_id, depends_on } of rows) {
    const list = deps.get(track_id);
    if (list === undefined) deps.set(track_id, [depends_on]);
    else list.push(depends_on);
  }
  return deps;
}
