// The fleet's Redis connections and queue names. A connection retries for ever with a capped
// backoff and says so (masked): Redis being away stalls the fleet, it never fails a track.
// bullmq and ioredis are imported lazily, so nothing else in yardmaster loads them.
import type { ConnectionOptions, Queue, QueueOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { maskSecret, type RedisTarget } from './redis-url.js';

/** The queue of track attempts: one job per (run, track, attempt). */
export const TRACKS_QUEUE = 'tracks';
/** The merge step: global concurrency 1, one merge at a time fleet-wide. */
export const MERGE_QUEUE = 'merge';

export interface FleetConnection {
  readonly redis: Redis;
  /** BullMQ's key prefix: one per repository (its root commit), so fleets share a Redis safely. */
  readonly prefix: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  target: RedisTarget;
  /** Said once per outage (and again every minute of it): what failed and when it retries. */
  warn: (text: string) => void;
  /** The repository's key (e.g. its root commit), part of every Redis key. */
  fleetKey: string;
  /** The connection's name, shown by `CLIENT LIST`. */
  name: string;
}

export async function connect(opts: ConnectOptions): Promise<FleetConnection> {
  const { Redis } = await import('ioredis');
  let down: number | null = null;
  let lastSaid = 0;
  const redis = new Redis(opts.target.url, {
    // BullMQ's workers block on Redis; a request must wait for the connection, never fail.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: opts.name,
    retryStrategy: (times) => Math.min(250 * 2 ** Math.min(times, 6), 10_000),
    lazyConnect: false,
  });
  const outage = (why: string) => {
    const now = performance.now();
    if (down === null || now - lastSaid > 60_000) {
      down ??= now;
      lastSaid = now;
      opts.warn(
        maskSecret(
          `Redis at ${opts.target.shown} is unreachable (${why}); retrying with backoff, nothing is marked failed for it`,
          opts.target,
        ),
      );
    }
  };
  redis.on('error', (err: Error) => outage(err.message));
  // A connection the server closed (a restart) reconnects without an error first.
  redis.on('reconnecting', () => outage('connection lost'));
  redis.on('ready', () => {
    if (down !== null)
      opts.warn(
        `Redis at ${opts.target.shown} is back after ${((performance.now() - down) / 1000).toFixed(1)} s`,
      );
    down = null;
  });
  return {
    redis,
    prefix: `ym:${opts.fleetKey}`,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function queueOptions(conn: FleetConnection): QueueOptions {
  return { connection: conn.redis as unknown as ConnectionOptions, prefix: conn.prefix };
}

export async function openQueue(conn: FleetConnection, name: string): Promise<Queue> {
  const { Queue } = await import('bullmq');
  return new Queue(name, queueOptions(conn));
}
