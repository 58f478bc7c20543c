// The fleet's pure parts: the lifecycle paths the state mirror takes, job ids, and the Redis
// URL's masking.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canTransition, TRACK_STATES } from '../../src/state/lifecycle.js';
import { lifecyclePath } from '../../src/fleet/mirror.js';
import { trackJobId } from '../../src/fleet/jobs.js';
import { maskSecret, resolveRedisUrl } from '../../src/fleet/redis-url.js';

describe('lifecyclePath', () => {
  it.each([
    ['planned', 'running', ['queued', 'provisioning', 'running']],
    ['failed', 'queued', ['queued']],
    ['ready', 'merged', ['merging', 'merged']],
    ['merged', 'queued', ['reverted', 'queued']],
    ['running', 'queued', ['interrupted', 'queued']],
    ['queued', 'queued', []],
    ['failed', 'ready', ['queued', 'provisioning', 'running', 'validating', 'ready']],
  ] as const)('%s -> %s', (from, to, want) => {
    expect(lifecyclePath(from, to)).toEqual(want);
  });

  it('every step of every path is a legal transition', () => {
    for (const from of TRACK_STATES)
      for (const to of TRACK_STATES) {
        const steps = lifecyclePath(from, to);
        if (steps === null) continue;
        let at = from;
        for (const s of steps) {
          expect(canTransition(at, s), `${from} -> ${to}: ${at} -> ${s}`).toBe(true);
          at = s;
        }
        expect(at).toBe(to);
      }
  });
});

describe('job ids', () => {
  it('name the run, the track and the attempt, without ":" (BullMQ refuses it)', () => {
    expect(trackJobId('r1', 'slugify', 2)).toBe('r1.slugify.2');
    expect(trackJobId('r1', 'slugify', 2)).not.toContain(':');
  });
});

describe('the Redis URL', () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ym-redis-url-')));
  const repo = path.join(root, 'repo');
  mkdirSync(repo);

  it('is shown without its credentials and masked in any text', () => {
    const t = resolveRedisUrl({ YM_REDIS_URL: 'redis://user:p%40ss-word@host:6380/2' }, root);
    expect(t.shown).toBe('redis://***@host:6380/2');
    const text = maskSecret('failed: redis://user:p%40ss-word@host:6380/2 said p@ss-word', t);
    expect(text).not.toContain('p@ss-word');
    expect(text).not.toContain('p%40ss-word');
  });

  it('without credentials is no secret', () => {
    const t = resolveRedisUrl({ YM_REDIS_URL: 'redis://127.0.0.1:6379/0' }, root);
    expect(maskSecret(`at ${t.shown}`, t)).toBe('at redis://127.0.0.1:6379/0');
  });

  it('comes from a file outside the repository, not one inside it', () => {
    const outside = path.join(root, 'url');
    writeFileSync(outside, 'redis://:pw123@h:1/0\n');
    expect(resolveRedisUrl({ YM_REDIS_URL_FILE: outside }, repo).url).toBe('redis://:pw123@h:1/0');
    expect(() => resolveRedisUrl({ YM_REDIS_URL_FILE: outside }, root)).toThrow(
      /inside the repository/,
    );
    expect(() => resolveRedisUrl({}, repo)).toThrow(/needs a Redis URL/);
    expect(() => resolveRedisUrl({ YM_REDIS_URL: 'http://h' }, repo)).toThrow(/redis:\/\//);
  });
});
