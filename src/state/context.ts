// What every part of the store shares: the connection, the clock, a prepared-statement cache, the
// write-transaction wrapper and the one function that appends to the event log.

import type { Statement } from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import { toStateError, type StateDatabase } from './db.js';

export interface NewEvent {
  trackId?: string | null;
  runId?: number | null;
  type: string;
  data?: unknown;
}

export class StoreContext {
  readonly db: StateDatabase;
  readonly clock: Clock;
  readonly #statements = new Map<string, Statement>();

  constructor(db: StateDatabase, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  nowMs(): number {
    return this.clock.now().getTime();
  }

  /** A cached prepared statement. `sql` is always a literal from this folder, never built from input. */
  stmt<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction: the write lock is taken before the first read, so a
   * read-check-write inside cannot race another process. Rolls back if `fn` throws.
   */
  write<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (err) {
      throw toStateError(err, this.db.name);
    }
  }

  /** Reads that span several statements see one snapshot. */
  read<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn).deferred();
    } catch (err) {
      throw toStateError(err, this.db.name);
    }
  }

  /** Appends one event; call inside `write` so it commits with the change it records. */
  insertEvent(event: NewEvent): number {
    const data = JSON.stringify(event.data ?? {});
    if (data === undefined)
      throw new TypeError(`event ${event.type}: data is not JSON-serializable`);
    const result = this.stmt<[string, string | null, number | null, string, string]>(
      'INSERT INTO events (at, track_id, run_id, type, data) VALUES (?, ?, ?, ?, ?)',
    ).run(this.now(), event.trackId ?? null, event.runId ?? null, event.type, data);
    return Number(result.lastInsertRowid);
  }
}
