// Opens state.db: creates its folder, sets the connection pragmas (WAL, busy timeout, foreign keys),
// refuses files that are not ours or are from a newer yardmaster, and applies pending migrations.
// It never deletes, resets or rewrites a database it cannot read: the user decides what to do.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UsageError, WorkFailedError, YmError } from '../core/errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

export type StateDatabase = Database.Database;

export interface OpenDatabaseOptions {
  /** Open without writing: no migrations, no journal-mode change. The file must exist. */
  readonly?: boolean;
}

export const BUSY_TIMEOUT_MS = 5000;

export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): StateDatabase {
  const readonly = opts.readonly ?? false;
  const existing = fileSize(file);
  if (readonly && existing === undefined) {
    throw new UsageError(`No yardmaster state database at ${file}.`, {
      hint: 'Create tracks first (`yardmaster plan` or `yardmaster new-track`).',
    });
  }
  let db: StateDatabase;
  try {
    if (!readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw toStateError(err, file);
  }
  try {
    prepareConnection(db, file, readonly, (existing ?? 0) > 0);
    return db;
  } catch (err) {
    db.close();
    throw toStateError(err, file);
  }
}

function prepareConnection(
  db: StateDatabase,
  file: string,
  readonly: boolean,
  existing: boolean,
): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Both reads touch only page 1: they fail fast (SQLITE_NOTADB / SQLITE_CORRUPT) on a foreign or
  // damaged file before anything is written to it.
  const version = schemaVersion(db);
  const objects =
    db
      .prepare<[], number>("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .pluck()
      .get() ?? 0;

  if (version > LATEST_SCHEMA_VERSION) {
    throw new UsageError(
      `${file}: state.db was written by a newer yardmaster (schema ${version}, this one knows ${LATEST_SCHEMA_VERSION}); upgrade yardmaster.`,
      {
        hint: 'Install the newer yardmaster (npm install -g yardmaster@latest); this version will not touch the file.',
      },
    );
  }
  if (version === 0 && objects > 0) {
    throw new UsageError(`${file} is an SQLite database, but not a yardmaster state database.`, {
      hint: `Move it away (mv "${file}" "${file}.bak") and run the command again; yardmaster will not modify it.`,
    });
  }
  if (readonly) {
    if (version < LATEST_SCHEMA_VERSION) {
      throw new UsageError(
        `${file} uses an older schema (${version}) and cannot be upgraded read-only.`,
        {
          hint: 'Run a yardmaster command that writes state (e.g. `yardmaster status`) once to upgrade it.',
        },
      );
    }
    return;
  }

  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');

  if (version < LATEST_SCHEMA_VERSION) {
    // Full scan, but only before a schema upgrade of an existing file (rare): never migrate a damaged
    // database. The everyday open stays at a few page reads; `doctor` runs checkIntegrity().
    if (existing && version > 0) assertIntact(db, file);
    migrate(db);
  }
}

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: StateDatabase): void {
  for (const migration of MIGRATIONS) {
    db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated since we looked.
      if (schemaVersion(db) >= migration.version) return;
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

export function schemaVersion(db: StateDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Problems found by PRAGMA integrity_check; empty when the database is sound. */
export function checkIntegrity(db: StateDatabase): string[] {
  const rows = db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
  return rows.length === 1 && rows[0] === 'ok' ? [] : rows;
}

function assertIntact(db: StateDatabase, file: string): void {
  const result = db.prepare<[], string>('PRAGMA quick_check').pluck().all();
  if (result.length !== 1 || result[0] !== 'ok') {
    throw corruptError(file, result.slice(0, 3).join('; '));
  }
}

function corruptError(file: string, detail: string, cause?: unknown): UsageError {
  return new UsageError(`${file} is not a readable yardmaster state database (${detail}).`, {
    hint: `Move it away (mv "${file}" "${file}.bad") and run the command again to start with fresh state; yardmaster never deletes it for you.`,
    cause,
  });
}

/** Maps SQLite failures to the typed errors the CLI prints; anything else passes through unchanged. */
export function toStateError(err: unknown, file: string): unknown {
  if (err instanceof YmError) return err;
  const code = sqliteCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === undefined) {
    const sysCode = (err as { code?: unknown } | null)?.code;
    if (typeof sysCode === 'string' && /^E[A-Z]+$/.test(sysCode)) {
      return new UsageError(`Cannot create the state database at ${file}: ${message}`, {
        hint: 'Check that the folder exists and is writable.',
        cause: err,
      });
    }
    return err;
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new WorkFailedError(
      `${file} is locked: another yardmaster process holds it and did not release it within ${BUSY_TIMEOUT_MS / 1000} s.`,
      { hint: 'Wait for the other yardmaster command to finish, then retry.', cause: err },
    );
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    // The write failed whole: SQLite rolled the transaction back, so state.db is as it was.
    const why =
      code === 'SQLITE_FULL'
        ? 'the disk is full'
        : `the disk refused a write (${code}: ${message})`;
    return new WorkFailedError(
      `Cannot write ${file}: ${why}; nothing of the failed change was saved.`,
      {
        hint: `Free space on the disk that holds ${path.dirname(file)}, then run the command again; \`ym doctor\` checks the state.`,
        cause: err,
      },
    );
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return corruptError(file, message, err);
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return new UsageError(`Cannot open the state database at ${file}: ${message}`, {
      hint: 'Check that the file and its folder exist and are writable by you.',
      cause: err,
    });
  }
  return err;
}

function sqliteCode(err: unknown): string | undefined {
  if (!(err instanceof Database.SqliteError)) return undefined;
  return err.code;
}

function fileSize(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}
