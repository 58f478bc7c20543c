// StateStore: the one object the rest of yardmaster uses to read and change state.db. It delegates
// to one module per concept (tracks, events, runs, merge queue, locks) sharing a StoreContext.

import { systemClock, type Clock } from '../core/clock.js';
import { StoreContext, type NewEvent } from './context.js';
import { openDatabase, type OpenDatabaseOptions, type StateDatabase } from './db.js';
import * as events from './events.js';
import type { TrackState } from './lifecycle.js';
import * as locks from './locks.js';
import * as meta from './meta.js';
import * as queue from './merge-queue.js';
import type { EventRow, LockRow, QueueEntry, RunRow, TrackRow } from './rows.js';
import * as runs from './runs.js';
import * as tracks from './tracks.js';

export class StateStore {
  readonly #ctx: StoreContext;

  constructor(db: StateDatabase, clock: Clock = systemClock) {
    this.#ctx = new StoreContext(db, clock);
  }

  /** openDatabase + new StateStore. */
  static open(
    file: string,
    opts: OpenDatabaseOptions = {},
    clock: Clock = systemClock,
  ): StateStore {
    return new StateStore(openDatabase(file, opts), clock);
  }

  get db(): StateDatabase {
    return this.#ctx.db;
  }

  close(): void {
    if (this.#ctx.db.open) this.#ctx.db.close();
  }

  /**
   * Several changes in one IMMEDIATE transaction (the writes inside become savepoints): other
   * processes see all of them or none, e.g. a track claimed together with the run that holds it.
   */
  atomically<T>(fn: () => T): T {
    return this.#ctx.write(fn);
  }

  // Tracks

  upsertTrackDefinitions(defs: readonly tracks.TrackDefinition[]): void {
    tracks.upsertTrackDefinitions(this.#ctx, defs);
  }

  getTrack(id: string): TrackRow | undefined {
    return tracks.getTrack(this.#ctx, id);
  }

  listTracks(): TrackRow[] {
    return tracks.listTracks(this.#ctx);
  }

  transition(trackId: string, to: TrackState, opts?: tracks.TransitionOptions): TrackRow {
    return tracks.transition(this.#ctx, trackId, to, opts);
  }

  patchTrack(trackId: string, patch: Partial<tracks.TrackPatch>): void {
    tracks.patchTrack(this.#ctx, trackId, patch);
  }

  setArchived(trackId: string, archived: boolean, data?: Record<string, unknown>): void {
    tracks.setArchived(this.#ctx, trackId, archived, data);
  }

  rebuildStatesFromEvents(): Map<string, TrackState> {
    return tracks.rebuildStatesFromEvents(this.#ctx);
  }

  // Events

  appendEvent(event: NewEvent): number {
    return events.appendEvent(this.#ctx, event);
  }

  listEvents(opts?: events.ListEventsOptions): EventRow[] {
    return events.listEvents(this.#ctx, opts);
  }

  listUsageEvents(): (EventRow & { attempt: number | null })[] {
    return events.listUsageEvents(this.#ctx);
  }

  lastEventId(): number {
    return events.lastEventId(this.#ctx);
  }

  // Runs

  startRun(input: runs.StartRunInput): RunRow {
    return runs.startRun(this.#ctx, input);
  }

  setAgentPid(runId: number, pid: number | null): void {
    runs.setAgentPid(this.#ctx, runId, pid);
  }

  heartbeat(runId: number): boolean {
    return runs.heartbeat(this.#ctx, runId);
  }

  finishRun(runId: number, input: runs.FinishRunInput): RunRow {
    return runs.finishRun(this.#ctx, runId, input);
  }

  getRun(runId: number): RunRow | undefined {
    return runs.getRun(this.#ctx, runId);
  }

  listRuns(trackId: string): RunRow[] {
    return runs.listRuns(this.#ctx, trackId);
  }

  staleRuns(opts: runs.StaleOptions): RunRow[] {
    return runs.staleRuns(this.#ctx, opts);
  }

  // Merge queue

  enqueue(trackId: string): boolean {
    return queue.enqueue(this.#ctx, trackId);
  }

  dequeue(trackId: string): boolean {
    return queue.dequeue(this.#ctx, trackId);
  }

  listQueue(): QueueEntry[] {
    return queue.listQueue(this.#ctx);
  }

  setQueueStep(trackId: string, step: string | null, headSha?: string | null): void {
    queue.setQueueStep(this.#ctx, trackId, step, headSha);
  }

  setQueuePaused(trackId: string, paused: boolean): void {
    queue.setQueuePaused(this.#ctx, trackId, paused);
  }

  // Locks

  acquireLock(name: string, holder: locks.LockHolder, opts: runs.StaleOptions): boolean {
    return locks.acquireLock(this.#ctx, name, holder, opts);
  }

  renewLock(name: string, holderId: string): boolean {
    return locks.renewLock(this.#ctx, name, holderId);
  }

  releaseLock(name: string, holderId: string): boolean {
    return locks.releaseLock(this.#ctx, name, holderId);
  }

  getLock(name: string): LockRow | undefined {
    return locks.getLock(this.#ctx, name);
  }

  /**
   * Changes whenever another connection commits to the database (not for this connection's own
   * writes): a cheap "did anything change?" poll for `status --watch`.
   */
  dataVersion(): number {
    return Number(this.#ctx.db.pragma('data_version', { simple: true }));
  }

  // Meta: global settings (e.g. meta.META_QUEUE_PAUSED)

  getMeta(key: string): string | undefined {
    return meta.getMeta(this.#ctx, key);
  }

  setMeta(key: string, value: string | null, event?: NewEvent): void {
    meta.setMeta(this.#ctx, key, value, event);
  }
}
