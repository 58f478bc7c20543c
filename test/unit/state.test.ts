import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError, WorkFailedError } from '../../src/core/errors.js';
import {
  InvalidTransitionError,
  LATEST_SCHEMA_VERSION,
  StateConflictError,
  StateStore,
  migrate,
  openDatabase,
  openStateStore,
  type Clock,
  type TrackState,
} from '../../src/state/index.js';

class FakeClock implements Clock {
  #ms = Date.parse('2025-01-01T00:00:00.000Z');
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

let dir: string;
let file: string;
let clock: FakeClock;
const opened: StateStore[] = [];

function store(): StateStore {
  const s = new StateStore(openDatabase(file), clock);
  opened.push(s);
  return s;
}

function countEvents(s: StateStore): number {
  return s.listEvents().length;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-state-'));
  file = path.join(dir, 'nested', 'yardmaster', 'state.db');
  clock = new FakeClock();
});

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the folder, the schema and sets user_version', () => {
    const db = openDatabase(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      const tables = db
        .prepare<[], string>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .pluck()
        .all();
      expect(tables).toEqual([
        'events',
        'locks',
        'merge_queue',
        'meta',
        'runs',
        'track_deps',
        'tracks',
      ]);
      expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
      expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }
  });

  it('sets WAL, busy timeout, foreign keys and synchronous=NORMAL', () => {
    const db = openDatabase(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('reopens idempotently and keeps the data', () => {
    const a = store();
    a.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    a.close();
    const b = store();
    expect(b.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(b.listTracks().map((t) => t.id)).toEqual(['a']);
    migrate(b.db); // nothing pending: must not fail or duplicate anything
    expect(b.db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'app'").get()).toEqual({
      n: 1,
    });
  });

  it('refuses a database from a newer yardmaster and leaves it alone', () => {
    openDatabase(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    const error = catchError(() => openDatabase(file));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(
      `newer yardmaster (schema ${LATEST_SCHEMA_VERSION + 1}, this one knows ${LATEST_SCHEMA_VERSION}); upgrade yardmaster`,
    );
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 1);
    check.close();
  });

  it('refuses a garbage file with a clear message and does not touch it', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = crypto.randomBytes(16384);
    fs.writeFileSync(file, bytes);
    const error = catchError(() => openDatabase(file));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(file);
    expect((error as UsageError).message).toMatch(/not a readable yardmaster state database/);
    expect((error as UsageError).hint).toMatch(/Move it away/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses an SQLite database that is not ours', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    raw.exec('CREATE TABLE customers (id INTEGER)');
    raw.close();
    const error = catchError(() => openDatabase(file));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/not a yardmaster state database/);
    const check = new Database(file, { readonly: true });
    expect(check.prepare<[], string>('SELECT name FROM sqlite_master').pluck().all()).toEqual([
      'customers',
    ]);
    check.close();
  });

  it('read-only: opens an existing file, refuses a missing one', () => {
    store().upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'chore', dependsOn: [] }]);
    const ro = StateStore.open(file, { readonly: true }, clock);
    opened.push(ro);
    expect(ro.getTrack('a')?.title).toBe('A');
    expect(() => ro.appendEvent({ type: 'x' })).toThrow();
    expect(() => openDatabase(path.join(dir, 'missing.db'), { readonly: true })).toThrow(
      UsageError,
    );
    expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
  });

  it('openStateStore opens <stateDir>/state.db', () => {
    const s = openStateStore(path.join(dir, 'sd'), clock);
    opened.push(s);
    expect(fs.existsSync(path.join(dir, 'sd', 'state.db'))).toBe(true);
  });
});

describe('tracks', () => {
  it('upserts definitions with dependencies (forward references in a batch) as planned', () => {
    const s = store();
    s.upsertTrackDefinitions([
      { id: 'ui', title: 'UI', type: 'feature', dependsOn: ['api', 'db'] },
      { id: 'api', title: 'API', type: 'feature', dependsOn: ['db'] },
      { id: 'db', title: 'DB', type: 'chore', dependsOn: [] },
    ]);
    const tracks = s.listTracks();
    expect(tracks.map((t) => [t.id, t.state, t.dependsOn])).toEqual([
      ['ui', 'planned', ['api', 'db']],
      ['api', 'planned', ['db']],
      ['db', 'planned', []],
    ]);
    expect(s.getTrack('ui')).toMatchObject({
      title: 'UI',
      attempt: 0,
      archived: false,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const created = s.listEvents().filter((e) => e.type === 'track.created');
    expect(created.map((e) => e.trackId)).toEqual(['ui', 'api', 'db']);
    expect(created[0]?.data).toEqual({ title: 'UI', type: 'feature', dependsOn: ['api', 'db'] });
  });

  it('updates title, type and deps of existing tracks without touching their state', () => {
    const s = store();
    s.upsertTrackDefinitions([
      { id: 'a', title: 'A', type: 'feature', dependsOn: [] },
      { id: 'b', title: 'B', type: 'feature', dependsOn: ['a'] },
    ]);
    s.transition('b', 'queued');
    s.upsertTrackDefinitions([{ id: 'b', title: 'B2', type: 'bug', dependsOn: [] }]);
    expect(s.getTrack('b')).toMatchObject({
      title: 'B2',
      type: 'bug',
      state: 'queued',
      dependsOn: [],
    });
    expect(s.listEvents({ trackId: 'b' }).map((e) => e.type)).toEqual([
      'track.created',
      'track.state',
      'track.updated',
    ]);
    const before = countEvents(s);
    s.upsertTrackDefinitions([{ id: 'b', title: 'B2', type: 'bug', dependsOn: [] }]);
    expect(countEvents(s)).toBe(before); // unchanged definitions write nothing
  });

  it('rejects an unknown dependency and writes nothing', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const events = countEvents(s);
    const error = catchError(() =>
      s.upsertTrackDefinitions([
        { id: 'a', title: 'A renamed', type: 'feature', dependsOn: [] },
        { id: 'b', title: 'B', type: 'feature', dependsOn: ['a'] },
        { id: 'c', title: 'C', type: 'feature', dependsOn: ['nope'] },
      ]),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('c -> nope');
    expect(s.listTracks().map((t) => [t.id, t.title])).toEqual([['a', 'A']]);
    expect(countEvents(s)).toBe(events);
  });

  it('lists tracks with two queries, whatever their number', () => {
    const s = store();
    const defs = Array.from({ length: 60 }, (_, i) => ({
      id: `t${i}`,
      title: `T${i}`,
      type: 'feature',
      dependsOn: i === 0 ? [] : [`t${i - 1}`],
    }));
    s.upsertTrackDefinitions(defs);
    const statements: string[] = [];
    const db = new Database(file, { verbose: (sql) => statements.push(String(sql)) });
    const counted = new StateStore(db, clock);
    opened.push(counted);
    statements.length = 0;
    const tracks = counted.listTracks();
    expect(tracks).toHaveLength(60);
    expect(tracks[59]?.dependsOn).toEqual(['t58']);
    expect(statements.filter((sql) => /\bSELECT\b/i.test(sql))).toHaveLength(2);
  });

  it('moves through the lifecycle with patches and events', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    s.transition('a', 'queued');
    clock.advance(1000);
    const row = s.transition('a', 'provisioning', {
      from: ['queued', 'interrupted'],
      reason: 'scheduler',
      patch: { branch: 'ym/a', worktree: '/w/a', attempt: 1 },
      data: { to: 'merged', extra: 1 },
    });
    expect(row).toMatchObject({
      state: 'provisioning',
      branch: 'ym/a',
      worktree: '/w/a',
      attempt: 1,
      reason: 'scheduler',
    });
    expect(row.updatedAt).toBe('2025-01-01T00:00:01.000Z');
    const last = s.listEvents({ trackId: 'a' }).at(-1);
    expect(last?.type).toBe('track.state');
    // data cannot override from/to
    expect(last?.data).toMatchObject({
      from: 'queued',
      to: 'provisioning',
      reason: 'scheduler',
      extra: 1,
    });
    const next = s.transition('a', 'running', { patch: { agent: 'claude' } });
    expect(next).toMatchObject({ branch: 'ym/a', agent: 'claude', reason: null });
  });

  it('writes the state and its event in one transaction (failure after the update rolls both back)', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const before = s.getTrack('a');
    const events = countEvents(s);
    clock.advance(5000);

    // 1. event data that cannot be serialized: fails after the UPDATE ran
    expect(() => s.transition('a', 'queued', { data: { big: 10n } })).toThrow(TypeError);
    expect(s.getTrack('a')).toEqual(before);
    expect(countEvents(s)).toBe(events);

    // 2. the event insert itself fails
    s.db.exec(
      "CREATE TEMP TRIGGER fail_event BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'injected'); END",
    );
    expect(() => s.transition('a', 'queued')).toThrow(/injected/);
    s.db.exec('DROP TRIGGER fail_event');
    expect(s.getTrack('a')).toEqual(before);
    expect(countEvents(s)).toBe(events);

    expect(s.transition('a', 'queued').state).toBe('queued');
    expect(countEvents(s)).toBe(events + 1);
  });

  it('compare-and-swap: a mismatching `from` throws StateConflictError and changes nothing', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const events = countEvents(s);
    const error = catchError(() => s.transition('a', 'cancelled', { from: ['running', 'ready'] }));
    expect(error).toBeInstanceOf(StateConflictError);
    const conflict = error as StateConflictError;
    expect(conflict.exitCode).toBe(1);
    expect(conflict.expected).toEqual(['running', 'ready']);
    expect(conflict.actual).toBe('planned');
    expect(conflict.message).toMatch(/Track a is "planned", expected "running" or "ready"/);
    expect(s.getTrack('a')?.state).toBe('planned');
    expect(countEvents(s)).toBe(events);
  });

  it('rejects transitions the lifecycle does not allow, and unknown tracks', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const error = catchError(() => s.transition('a', 'merged'));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect((error as InvalidTransitionError).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/"planned" to "merged"/);
    expect(() => s.transition('a', 'planned')).toThrow(InvalidTransitionError);
    expect(s.getTrack('a')?.state).toBe('planned');
    expect(() => s.transition('ghost', 'queued')).toThrow(UsageError);
  });

  it('rebuilds every state from the event log', () => {
    const s = store();
    s.upsertTrackDefinitions([
      { id: 'a', title: 'A', type: 'feature', dependsOn: [] },
      { id: 'b', title: 'B', type: 'feature', dependsOn: ['a'] },
      { id: 'c', title: 'C', type: 'feature', dependsOn: [] },
      { id: 'd', title: 'D', type: 'feature', dependsOn: [] },
    ]);
    const moves: [string, TrackState][] = [
      ['a', 'queued'],
      ['a', 'provisioning'],
      ['a', 'running'],
      ['a', 'validating'],
      ['a', 'running'],
      ['a', 'validating'],
      ['a', 'ready'],
      ['a', 'merging'],
      ['a', 'merged'],
      ['b', 'queued'],
      ['b', 'provisioning'],
      ['b', 'interrupted'],
      ['c', 'cancelled'],
    ];
    for (const [id, to] of moves) s.transition(id, to);
    s.appendEvent({ trackId: 'a', type: 'note', data: { to: 'failed' } }); // other event types are ignored
    const fromTable = new Map(s.listTracks().map((t) => [t.id, t.state]));
    expect(fromTable).toEqual(
      new Map([
        ['a', 'merged'],
        ['b', 'interrupted'],
        ['c', 'cancelled'],
        ['d', 'planned'],
      ]),
    );
    expect(s.rebuildStatesFromEvents()).toEqual(fromTable);
  });
});

describe('events', () => {
  it('are append-only', () => {
    const s = store();
    const id = s.appendEvent({ type: 'note', data: { n: 1 } });
    expect(() => s.db.prepare("UPDATE events SET type = 'x' WHERE id = ?").run(id)).toThrow(
      /append-only/,
    );
    expect(() => s.db.prepare('DELETE FROM events WHERE id = ?').run(id)).toThrow(/append-only/);
    expect(s.listEvents()).toHaveLength(1);
  });

  it('list by track, after an id, with a limit; data parsed', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const first = s.appendEvent({ trackId: 'a', type: 'note', data: { n: 1 } });
    s.appendEvent({ type: 'global' });
    const third = s.appendEvent({ trackId: 'a', type: 'note', data: { n: 3 } });
    expect(s.lastEventId()).toBe(third);
    expect(s.listEvents({ trackId: 'a', afterId: first }).map((e) => e.data)).toEqual([{ n: 3 }]);
    expect(s.listEvents({ limit: 2 }).map((e) => e.type)).toEqual(['track.created', 'note']);
    expect(s.listEvents({ afterId: first }).map((e) => e.type)).toEqual(['global', 'note']);
    expect(s.listEvents({ afterId: first })[0]).toMatchObject({
      trackId: null,
      runId: null,
      data: {},
    });
  });
});

describe('runs', () => {
  it('start, heartbeat, finish, and find stale or dead holders', () => {
    const s = store();
    s.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    const alive = new Set([100]);
    const isAlive = (pid: number): boolean => alive.has(pid);
    const live = s.startRun({
      trackId: 'a',
      attempt: 1,
      agent: 'claude',
      pid: 100,
      host: 'h1',
      logPath: '/l/1.log',
    });
    const dead = s.startRun({ trackId: 'a', attempt: 2, agent: 'claude', pid: 200, host: 'h1' });
    const done = s.startRun({ trackId: 'a', attempt: 3, agent: null, pid: 300, host: 'h1' });
    s.finishRun(done.id, { state: 'succeeded', exitCode: 0 });
    expect(live).toMatchObject({
      state: 'running',
      leasePid: 100,
      leaseHost: 'h1',
      logPath: '/l/1.log',
    });

    expect(s.staleRuns({ staleAfterMs: 60_000, isAlive }).map((r) => r.id)).toEqual([dead.id]);
    clock.advance(61_000);
    expect(s.staleRuns({ staleAfterMs: 60_000, isAlive }).map((r) => r.id)).toEqual([
      live.id,
      dead.id,
    ]);
    expect(s.heartbeat(live.id)).toBe(true);
    expect(s.staleRuns({ staleAfterMs: 60_000, isAlive }).map((r) => r.id)).toEqual([dead.id]);

    const finished = s.finishRun(dead.id, { state: 'interrupted', reason: 'holder died' });
    expect(finished).toMatchObject({
      state: 'interrupted',
      reason: 'holder died',
      endedAt: clock.now().toISOString(),
    });
    expect(s.heartbeat(dead.id)).toBe(false);
    expect(() => s.finishRun(dead.id, { state: 'failed' })).toThrow(StateConflictError);
    expect(s.listRuns('a').map((r) => r.state)).toEqual(['running', 'interrupted', 'succeeded']);
    expect(
      s
        .listEvents({ trackId: 'a' })
        .filter((e) => e.type.startsWith('run.'))
        .map((e) => [e.type, e.runId]),
    ).toEqual([
      ['run.started', live.id],
      ['run.started', dead.id],
      ['run.started', done.id],
      ['run.finished', done.id],
      ['run.finished', dead.id],
    ]);
    expect(() =>
      s.startRun({ trackId: 'ghost', attempt: 1, agent: null, pid: 1, host: 'h' }),
    ).toThrow(UsageError);
  });
});

describe('merge queue', () => {
  it('keeps tracks oldest first, once each, with their step', () => {
    const s = store();
    s.upsertTrackDefinitions(
      ['a', 'b', 'c'].map((id) => ({ id, title: id, type: 'feature', dependsOn: [] })),
    );
    expect(s.enqueue('b')).toBe(true);
    clock.advance(10);
    expect(s.enqueue('a')).toBe(true);
    clock.advance(10);
    expect(s.enqueue('b')).toBe(false);
    expect(s.listQueue().map((q) => q.trackId)).toEqual(['b', 'a']);
    s.setQueueStep('b', 'rebased', 'abc123');
    s.setQueueStep('b', 'checking');
    expect(s.listQueue()[0]).toMatchObject({
      trackId: 'b',
      step: 'checking',
      headSha: 'abc123',
      paused: false,
    });
    expect(() => s.setQueueStep('c', 'x')).toThrow(StateConflictError);
    expect(s.dequeue('b')).toBe(true);
    expect(s.dequeue('b')).toBe(false);
    expect(s.listQueue().map((q) => q.trackId)).toEqual(['a']);
    expect(() => s.enqueue('ghost')).toThrow(UsageError);
  });
});

describe('locks', () => {
  const staleAfterMs = 30_000;
  const a = { id: 'proc-a', pid: 111, host: 'h1' };
  const b = { id: 'proc-b', pid: 222, host: 'h1' };
  const everyoneAlive = { staleAfterMs, isAlive: () => true };

  it('acquire, contend, renew, release', () => {
    const s = store();
    expect(s.acquireLock('merge', a, everyoneAlive)).toBe(true);
    expect(s.acquireLock('merge', a, everyoneAlive)).toBe(true); // re-entrant for the same holder
    expect(s.acquireLock('merge', b, everyoneAlive)).toBe(false);
    expect(s.renewLock('merge', b.id)).toBe(false);
    expect(s.releaseLock('merge', b.id)).toBe(false);
    expect(s.getLock('merge')?.holder).toBe(a.id);
    expect(s.renewLock('merge', a.id)).toBe(true);
    expect(s.releaseLock('merge', a.id)).toBe(true);
    expect(s.getLock('merge')).toBeUndefined();
    expect(s.acquireLock('merge', b, everyoneAlive)).toBe(true);
  });

  it('takes over a stale lease, and a dead holder on the same host only', () => {
    const s = store();
    expect(s.acquireLock('merge', a, everyoneAlive)).toBe(true);
    clock.advance(staleAfterMs - 1);
    expect(s.acquireLock('merge', b, everyoneAlive)).toBe(false);
    clock.advance(2);
    expect(s.acquireLock('merge', b, everyoneAlive)).toBe(true);
    expect(s.renewLock('merge', a.id)).toBe(false); // a learns it lost the lease
    expect(s.listEvents().at(-1)).toMatchObject({
      type: 'lock.takeover',
      data: { name: 'merge', why: 'stale' },
    });

    const deadIs222 = { staleAfterMs, isAlive: (pid: number) => pid !== 222 };
    const remote = { id: 'proc-c', pid: 333, host: 'h2' };
    expect(s.acquireLock('merge', remote, deadIs222)).toBe(false); // cannot judge a pid on another host
    expect(s.acquireLock('merge', a, deadIs222)).toBe(true);
    expect(s.getLock('merge')).toMatchObject({ holder: a.id, pid: 111 });
  });
});

describe('two connections on one file', () => {
  it("see each other's writes (WAL) and notice changes via dataVersion", () => {
    const one = store();
    const two = store();
    const version = two.dataVersion();
    one.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    expect(two.getTrack('a')?.state).toBe('planned');
    expect(two.dataVersion()).not.toBe(version);
    two.transition('a', 'queued');
    expect(one.getTrack('a')?.state).toBe('queued');
    expect(() => one.transition('a', 'provisioning', { from: 'planned' })).toThrow(
      StateConflictError,
    );
  });

  it('reports a database held beyond the busy timeout as another yardmaster process', () => {
    const one = store();
    const two = store();
    one.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
    two.db.pragma('busy_timeout = 50');
    one.db.exec('BEGIN IMMEDIATE');
    try {
      const error = catchError(() => two.transition('a', 'queued'));
      expect(error).toBeInstanceOf(WorkFailedError);
      expect((error as Error).message).toMatch(/another yardmaster process/);
    } finally {
      one.db.exec('ROLLBACK');
    }
    expect(two.transition('a', 'queued').state).toBe('queued');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
