// Schema migrations for state.db, applied in order and tracked with PRAGMA user_version.
// Never edit a released migration: add a new one with the next version.

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up: `
      CREATE TABLE tracks (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        type TEXT NOT NULL,
        state TEXT NOT NULL,
        branch TEXT,
        worktree TEXT,
        agent TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        merged_sha TEXT,
        archived INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE track_deps (
        track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
        depends_on TEXT NOT NULL REFERENCES tracks(id),
        PRIMARY KEY (track_id, depends_on)
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        track_id TEXT NOT NULL REFERENCES tracks(id),
        attempt INTEGER NOT NULL,
        agent TEXT,
        state TEXT NOT NULL, -- running | succeeded | failed | interrupted
        started_at TEXT NOT NULL,
        ended_at TEXT,
        exit_code INTEGER,
        reason TEXT,
        log_path TEXT,
        lease_pid INTEGER,
        lease_host TEXT,
        heartbeat_at TEXT,
        agent_pid INTEGER
      );
      CREATE INDEX runs_track ON runs (track_id, id);
      CREATE INDEX runs_state ON runs (state);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        track_id TEXT,
        run_id INTEGER,
        type TEXT NOT NULL,
        data TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX events_track ON events (track_id, id);

      -- The event log is the history: append-only.
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE merge_queue (
        track_id TEXT PRIMARY KEY REFERENCES tracks(id),
        enqueued_at TEXT NOT NULL,
        step TEXT,
        head_sha TEXT,
        paused INTEGER NOT NULL DEFAULT 0
      );

      CREATE TABLE locks (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        acquired_at TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
      );

      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      INSERT INTO meta (key, value) VALUES ('app', 'yardmaster');
    `,
  },
];

export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.reduce(
  (max, m) => Math.max(max, m.version),
  0,
);
