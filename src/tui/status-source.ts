// The one reader behind the live view. It answers "did anything change?" cheaply (SQLite's
// data_version and the last event id; the branch refs and log sizes of active tracks) and rebuilds
// the view only then: the status snapshot, plus what the event log adds (checks, activity).
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import type { Repo } from '../git/repo.js';
import type { Review } from '../review/gather.js';
import { lastMergeRecord } from '../merge/record.js';
import { isActive } from '../state/lifecycle.js';
import type { StateStore } from '../state/store.js';
import { buildSnapshot } from '../status/snapshot.js';
import { isQueuePaused, storeActions, type StatusActions } from './actions.js';
import { shouldRing } from './bell.js';
import type { NotifyEvent } from '../config/schema.js';
import { emptyFold, foldEvents } from './event-fold.js';
import { lastLogLine } from './log-tail.js';
import { loadTrackDetail, type Landing, type TrackDetail } from './track-detail.js';
import type { StatusView, TrackView } from './view-model.js';

/** On the first load only the newest events are folded, so a long history cannot slow the start. */
export const INITIAL_EVENT_WINDOW = 20_000;

/**
 * Writes without an event (run heartbeats, lock renewals) move data_version but nothing on screen:
 * they trigger a rebuild only once this long after the last one, as a safety net.
 */
export const BOOKKEEPING_REFRESH_MS = 5000;

export interface ViewSource {
  /** Cheap; true when load() would show something new. */
  changed(): boolean;
  load(): Promise<StatusView>;
  loadDetail(id: string): Promise<TrackDetail>;
  /** What `ym review ID` shows (the `d` pane): the merge-base diff, or what a merged track landed. */
  loadDiff(id: string): Promise<Review>;
  readonly actions: StatusActions;
}

export class StatusSource implements ViewSource {
  readonly actions: StatusActions;
  #fold = emptyFold();
  #seen = { dataVersion: -1, eventId: -1, files: '' };
  /** Files whose change means progress without a database write: active branches' refs and logs. */
  #watched: string[] = [];
  #version = 0;
  #loadedAt = 0;
  #target = 'main';
  /** The first view goes without the conflict radar (git work that grows with the square of the active branches); the next load adds it. */
  #radarPending = true;

  constructor(
    private readonly ctx: Context,
    private readonly store: StateStore,
    private readonly repo: Repo,
    /** `--notify-bell`: rings on the new events notify.on chooses (not on the first view's). */
    private readonly bell?: { on: readonly NotifyEvent[]; ring(): void },
  ) {
    this.actions = storeActions(store, ctx);
  }

  changed(): boolean {
    if (this.#radarPending && this.#version > 0) return true;
    // Every change the view shows appends an event (state, runs, queue, settings); data_version
    // is the cheap gate in front, moved by any commit of another connection.
    if (this.store.dataVersion() !== this.#seen.dataVersion) {
      if (this.store.lastEventId() !== this.#seen.eventId) return true;
      if (this.ctx.clock.now().getTime() - this.#loadedAt >= BOOKKEEPING_REFRESH_MS) return true;
    } else if (this.store.lastEventId() !== this.#seen.eventId) return true;
    return this.#filesSignature() !== this.#seen.files;
  }

  async load(): Promise<StatusView> {
    // Read the markers first: a change while we build is then seen by the next changed().
    const dataVersion = this.store.dataVersion();
    const eventId = this.store.lastEventId();
    const radar = this.#version > 0;
    const [snapshot, { config }] = await Promise.all([
      buildSnapshot(this.ctx, { radar }),
      this.ctx.config(),
    ]);
    if (radar) this.#radarPending = false;
    this.#target = config.target;
    const afterId =
      this.#fold.lastId === 0 ? Math.max(0, eventId - INITIAL_EVENT_WINDOW) : this.#fold.lastId;
    const events = this.store.listEvents({ afterId });
    foldEvents(this.#fold, events);
    if (this.bell && this.#version > 0 && shouldRing(events, this.bell.on)) this.bell.ring();

    const watched: string[] = [];
    const tracks = snapshot.tracks.map((t): TrackView => {
      let activity = this.#fold.activity.get(t.id) ?? null;
      if (isActive(t.state)) {
        const log = this.store.listRuns(t.id).at(-1)?.logPath ?? null;
        if (log !== null) {
          watched.push(log);
          activity ??= lastLogLine(log);
        }
        if (t.branch !== null)
          watched.push(path.join(this.repo.commonDir, 'refs', 'heads', t.branch));
      }
      return { ...t, activity, cancelRequested: this.#fold.cancelRequested.has(t.id) };
    });
    this.#watched = watched;
    this.#seen = { dataVersion, eventId, files: this.#filesSignature() };
    this.#loadedAt = this.ctx.clock.now().getTime();
    this.#version += 1;
    return {
      ...snapshot,
      tracks,
      queuePaused: isQueuePaused(this.store),
      startedAt: this.#fold.startedAt,
      lastEventAt: this.#fold.lastEventAt,
      checks: Object.fromEntries(this.#fold.checks),
      version: this.#version,
    };
  }

  async loadDetail(id: string): Promise<TrackDetail> {
    const track = this.store.getTrack(id);
    const runs = this.store.listRuns(id);
    const logPath = [...runs].reverse().find((r) => r.logPath !== null)?.logPath ?? null;
    return loadTrackDetail(this.ctx.run, this.repo.root, {
      id,
      branch: track?.branch ?? null,
      worktree: track?.worktree ?? null,
      target: this.#target,
      logPath,
      checks: this.#fold.checks.get(id) ?? null,
      landing: this.#landing(id),
    });
  }

  async loadDiff(id: string): Promise<Review> {
    // Loaded on the first `d` only: the review's modules are no part of the first frame.
    const { gatherReview } = await import('../review/gather.js');
    return gatherReview(id, this.ctx);
  }

  /** A merged or reverted track's commits are what landed: the merge may have deleted its branch. */
  #landing(id: string): Landing | null {
    const track = this.store.getTrack(id);
    if (track?.state !== 'merged' && track?.state !== 'reverted') return null;
    const record = lastMergeRecord(this.store, id);
    return {
      mergedSha: track.mergedSha,
      targetBefore: record?.targetBefore ?? null,
      strategy: record?.strategy ?? null,
      branchCommits: record?.commits ?? null,
    };
  }

  #filesSignature(): string {
    return this.#watched.map(stamp).join('|');
  }
}

/** Size and modification time in one stat; "-" when the file is missing. */
function stamp(file: string): string {
  try {
    const s = statSync(file, { throwIfNoEntry: false });
    return s === undefined ? '-' : `${s.size}:${s.mtimeMs}`;
  } catch {
    return '-';
  }
}

export async function openStatusSource(
  ctx: Context,
  opts: { bell?: boolean } = {},
): Promise<StatusSource> {
  const [repo, store, loaded] = await Promise.all([
    ctx.repo(),
    ctx.state(),
    opts.bell ? ctx.config() : null,
  ]);
  const bell = loaded
    ? { on: loaded.config.notify.on, ring: () => void ctx.out.stdout.write('\u0007') }
    : undefined;
  return new StatusSource(ctx, store, repo, bell);
}

/** The source and its first view: what the live view needs before it takes the screen. */
export async function prepareLiveView(
  ctx: Context,
  opts: { bell?: boolean } = {},
): Promise<{ source: StatusSource; first: StatusView }> {
  const source = await openStatusSource(ctx, opts);
  return { source, first: await source.load() };
}
