// The meta key-value API of the state store: global flags such as queue.paused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { META_QUEUE_PAUSED, openStateStore, type StateStore } from '../../src/state/index.js';

let dir: string;
let store: StateStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-meta-'));
  store = openStateStore(dir);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('meta', () => {
  it('sets, replaces, reads and removes a key', () => {
    expect(store.getMeta(META_QUEUE_PAUSED)).toBeUndefined();
    store.setMeta(META_QUEUE_PAUSED, '1');
    expect(store.getMeta(META_QUEUE_PAUSED)).toBe('1');
    store.setMeta(META_QUEUE_PAUSED, '0');
    expect(store.getMeta(META_QUEUE_PAUSED)).toBe('0');
    store.setMeta(META_QUEUE_PAUSED, null);
    expect(store.getMeta(META_QUEUE_PAUSED)).toBeUndefined();
    // The row the first migration wrote is untouched.
    expect(store.getMeta('app')).toBe('yardmaster');
  });

  it('appends the given event in the same transaction, and other connections see it', () => {
    const before = store.lastEventId();
    store.setMeta(META_QUEUE_PAUSED, '1', { type: 'queue.paused', data: { by: 'test' } });
    const events = store.listEvents({ afterId: before });
    expect(events).toMatchObject([{ type: 'queue.paused', trackId: null, data: { by: 'test' } }]);
    const other = openStateStore(dir);
    try {
      expect(other.getMeta(META_QUEUE_PAUSED)).toBe('1');
      const version = other.dataVersion();
      store.setMeta(META_QUEUE_PAUSED, null, { type: 'queue.resumed' });
      expect(other.dataVersion()).not.toBe(version);
      expect(other.getMeta(META_QUEUE_PAUSED)).toBeUndefined();
    } finally {
      other.close();
    }
  });

  it('writes nothing when the event cannot be recorded', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() =>
      store.setMeta(META_QUEUE_PAUSED, '1', { type: 'queue.paused', data: cyclic }),
    ).toThrow();
    expect(store.getMeta(META_QUEUE_PAUSED)).toBeUndefined();
  });
});
