// Opens the state store of a repository: `<git common dir>/yardmaster/state.db`, shared by the
// main checkout and every worktree. Loaded lazily by the CLI runner (native module).

import path from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import type { OpenDatabaseOptions } from './db.js';
import { StateStore } from './store.js';

export const STATE_DB_FILE = 'state.db';

export function stateDbPath(stateDir: string): string {
  return path.join(stateDir, STATE_DB_FILE);
}

export function openStateStore(
  stateDir: string,
  clock: Clock = systemClock,
  opts: OpenDatabaseOptions = {},
): StateStore {
  return StateStore.open(stateDbPath(stateDir), opts, clock);
}
