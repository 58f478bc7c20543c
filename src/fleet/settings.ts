// The fleet's timing: how long a worker's lock on a job lasts without renewal (renewed at half
// of it while the worker lives), how often the stalled-job checker looks, and how many times a
// job may stall (its worker died) before it fails. Long agent runs are fine: the lock is
// renewed while the worker's event loop runs, however long the agent takes. The fault tests
// shorten them through the environment.
import { UsageError } from '../core/errors.js';

export interface FleetTiming {
  lockMs: number;
  stalledMs: number;
  maxStalled: number;
  /** How often the coordinator looks at its jobs. */
  pollMs: number;
}

const DEFAULTS: FleetTiming = { lockMs: 120_000, stalledMs: 30_000, maxStalled: 5, pollMs: 250 };

function read(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min)
    throw new UsageError(`${name} must be a whole number of at least ${min}, got "${raw}".`);
  return Number(raw);
}

export function fleetTiming(env: NodeJS.ProcessEnv): FleetTiming {
  return {
    lockMs: read(env, 'YM_FLEET_LOCK_MS', DEFAULTS.lockMs, 500),
    stalledMs: read(env, 'YM_FLEET_STALLED_MS', DEFAULTS.stalledMs, 250),
    maxStalled: read(env, 'YM_FLEET_MAX_STALLED', DEFAULTS.maxStalled, 1),
    pollMs: read(env, 'YM_FLEET_POLL_MS', DEFAULTS.pollMs, 20),
  };
}
