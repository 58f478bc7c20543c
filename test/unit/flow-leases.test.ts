// Whether a lease's holder still counts (src/flow/leases.ts), on a fake clock.
import { describe, expect, it } from 'vitest';
import { leaseIsLive } from '../../src/flow/leases.js';

const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
const alive = () => true;
const dead = () => false;

describe('leaseIsLive', () => {
  it.each([
    ['renewed just now by a live holder', at(0), alive, true],
    ['renewed 59 s ago, stale after 60 s', at(59), alive, true],
    ['renewed exactly 60 s ago: still live', at(60), alive, true],
    ['renewed 61 s ago: stale, whatever the pid says', at(61), alive, false],
    ['a dead holder is stale at once', at(0), dead, false],
  ] as const)('%s', (_name, heartbeatAt, isAlive, want) => {
    expect(leaseIsLive({ pid: 4242, host: 'h', heartbeatAt }, NOW, 60_000, isAlive)).toBe(want);
  });
});
