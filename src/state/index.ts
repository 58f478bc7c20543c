// Public API of the state store (state.db: tracks, runs, events, merge queue, locks).

export { systemClock, type Clock } from '../core/clock.js';
export type { NewEvent } from './context.js';
export {
  BUSY_TIMEOUT_MS,
  checkIntegrity,
  migrate,
  openDatabase,
  schemaVersion,
  type OpenDatabaseOptions,
  type StateDatabase,
} from './db.js';
export { InvalidTransitionError, StateConflictError } from './errors.js';
export type { ListEventsOptions } from './events.js';
export {
  ALLOWED_TRANSITIONS,
  TRACK_STATES,
  canTransition,
  isActive,
  isTerminal,
  isTrackState,
  type TrackState,
} from './lifecycle.js';
export type { LockHolder } from './locks.js';
export { META_QUEUE_PAUSED } from './meta.js';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.js';
export type { EventRow, LockRow, QueueEntry, RunRow, RunState, TrackRow } from './rows.js';
export type { FinishRunInput, IsAlive, StaleOptions, StartRunInput } from './runs.js';
export { STATE_DB_FILE, openStateStore, stateDbPath } from './open.js';
export { StateStore } from './store.js';
export type { TrackDefinition, TrackPatch, TransitionOptions } from './tracks.js';
