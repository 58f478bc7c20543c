// What the live status view shows, as plain data, and the pure functions that arrange it: rows
// grouped by state or in dependency order, the filter, the visible window of a long list, and the
// short formats (elapsed, progress bar). No ink or React here, so it is cheap to test.
import type { TrackState } from '../state/lifecycle.js';
import type { StatusSnapshot, TrackSnapshot } from '../status/snapshot.js';
import type { CheckSummary } from './event-fold.js';

export interface TrackView extends TrackSnapshot {
  /** The agent's latest activity: an `agent.activity` event, else the last line of its log. */
  activity: string | null;
  /** A `request.cancel` was recorded after the track's last state change. */
  cancelRequested: boolean;
}

export interface StatusView extends Omit<StatusSnapshot, 'tracks'> {
  tracks: TrackView[];
  /** The global `queue.paused` flag (meta table). */
  queuePaused: boolean;
  /** When the first run started (the clock of the header's "elapsed"), or null. */
  startedAt: string | null;
  /** Time of the newest event, to freeze "elapsed" once nothing is active. */
  lastEventAt: string | null;
  /** Latest `checks.finished` per track. */
  checks: Record<string, CheckSummary>;
  /** Increases with every rebuild, so dependants know to refresh. */
  version: number;
}

export type Grouping = 'state' | 'deps';

export type ListRow =
  | { kind: 'group'; key: string; label: string; state: TrackState; count: number }
  | { kind: 'track'; key: string; track: TrackView; depth: number };

/** The order of the state groups: what needs eyes first, finished work last. */
export const GROUP_ORDER: readonly TrackState[] = [
  'running',
  'validating',
  'provisioning',
  'merging',
  'failed',
  'conflicted',
  'interrupted',
  'blocked',
  'ready',
  'queued',
  'planned',
  'merged',
  'cancelled',
  'reverted',
];

export function matchesFilter(track: Pick<TrackView, 'id' | 'title'>, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return track.id.toLowerCase().includes(needle) || track.title.toLowerCase().includes(needle);
}

export function buildRows(
  tracks: readonly TrackView[],
  grouping: Grouping,
  filter = '',
): ListRow[] {
  const shown = tracks.filter((t) => matchesFilter(t, filter));
  if (grouping === 'deps') {
    const depth = dependencyDepths(tracks);
    return dependencyOrder(shown).map((track) => ({
      kind: 'track',
      key: track.id,
      track,
      depth: depth.get(track.id) ?? 0,
    }));
  }
  const rows: ListRow[] = [];
  for (const state of GROUP_ORDER) {
    const members = shown.filter((t) => t.state === state);
    if (members.length === 0) continue;
    rows.push({ kind: 'group', key: `group:${state}`, label: state, state, count: members.length });
    for (const track of members) rows.push({ kind: 'track', key: track.id, track, depth: 0 });
  }
  return rows;
}

/** Longest chain of dependencies below each track (0 for a track that depends on nothing). */
export function dependencyDepths(
  tracks: readonly Pick<TrackView, 'id' | 'dependsOn'>[],
): Map<string, number> {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle cannot be registered, but never loop on one
    visiting.add(id);
    let d = 0;
    for (const dep of byId.get(id)?.dependsOn ?? [])
      if (byId.has(dep)) d = Math.max(d, visit(dep) + 1);
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const t of tracks) visit(t.id);
  return depth;
}

/** Dependencies before dependents (Kahn's algorithm); ties keep the given (creation) order. */
export function dependencyOrder<T extends Pick<TrackView, 'id' | 'dependsOn'>>(
  tracks: readonly T[],
): T[] {
  const index = new Map(tracks.map((t, i) => [t.id, i]));
  const pending = new Map(
    tracks.map((t) => [t.id, t.dependsOn.filter((d) => index.has(d) && d !== t.id).length]),
  );
  const dependents = new Map<string, string[]>();
  for (const t of tracks)
    for (const d of t.dependsOn)
      if (index.has(d)) dependents.set(d, [...(dependents.get(d) ?? []), t.id]);
  const ready = tracks.filter((t) => pending.get(t.id) === 0).map((t) => t.id);
  const out: T[] = [];
  const placed = new Set<string>();
  while (ready.length > 0) {
    ready.sort((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
    const id = ready.shift()!;
    placed.add(id);
    out.push(tracks[index.get(id)!]!);
    for (const next of dependents.get(id) ?? []) {
      const left = (pending.get(next) ?? 1) - 1;
      pending.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  // Anything left is in a cycle: show it rather than hide it.
  for (const t of tracks) if (!placed.has(t.id)) out.push(t);
  return out;
}

/** The first row to show so that `selected` is visible, moving the window as little as possible. */
export function windowStart(
  previous: number,
  selected: number,
  height: number,
  total: number,
): number {
  if (height <= 0 || total <= height) return 0;
  let start = Math.min(Math.max(previous, 0), total - height);
  if (selected < start) start = selected;
  else if (selected >= start + height) start = selected - height + 1;
  return Math.max(0, Math.min(start, total - height));
}

/**
 * 42s, 3m, 2h04m, 3d02h: seconds only in the first minute, so that a view where nothing happens
 * redraws once a minute rather than every second.
 */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

/** Whether some time on screen shows seconds (changed in the last minute): the clock ticks every second then. */
export function needsSeconds(
  view: Pick<StatusView, 'startedAt' | 'lastEventAt' | 'tracks'>,
  now: number,
): boolean {
  if (view.tracks.some((t) => since(t.updatedAt, now) < 60_000)) return true;
  const elapsed = viewElapsed(view, now);
  return elapsed !== null && elapsed < 60_000;
}

/** Milliseconds between an ISO time and `now`, 0 when unknown. */
export function since(iso: string | null, now: number): number {
  if (iso === null) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : Math.max(0, now - t);
}

/** `███░░░` for done/total, `width` cells. */
export function progressBar(done: number, total: number, width: number): string {
  if (width <= 0) return '';
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function tasksDone(t: Pick<TrackSnapshot, 'tasks'>): number {
  return t.tasks.done + t.tasks.skipped;
}

/** Header elapsed: from the first run to now, or to the last event once nothing is active. */
export function viewElapsed(
  view: Pick<StatusView, 'startedAt' | 'lastEventAt' | 'tracks'>,
  now: number,
): number | null {
  if (view.startedAt === null) return null;
  const active = view.tracks.some((t) =>
    ['provisioning', 'running', 'validating', 'merging'].includes(t.state),
  );
  const end = active || view.lastEventAt === null ? now : Date.parse(view.lastEventAt);
  return Math.max(0, end - Date.parse(view.startedAt));
}
