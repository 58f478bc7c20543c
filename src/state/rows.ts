// Row shapes as the rest of yardmaster sees them (camelCase), and the mapping from SQLite rows.
// SQLite columns are only ever written by this store, so the mapping checks only what can drift:
// the state names, which must stay inside the lifecycle.

import { UsageError } from '../core/errors.js';
import { isTrackState, type TrackState } from './lifecycle.js';

export interface TrackRow {
  id: string;
  title: string;
  type: string;
  state: TrackState;
  branch: string | null;
  worktree: string | null;
  agent: string | null;
  attempt: number;
  reason: string | null;
  mergedSha: string | null;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  dependsOn: string[];
}

export type RunState = 'running' | 'succeeded' | 'failed' | 'interrupted';
export const RUN_STATES: readonly RunState[] = ['running', 'succeeded', 'failed', 'interrupted'];

export interface RunRow {
  id: number;
  trackId: string;
  attempt: number;
  agent: string | null;
  state: RunState;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  reason: string | null;
  logPath: string | null;
  leasePid: number | null;
  /** Leader of the agent's process group, so a later process can kill what a dead one left. */
  agentPid: number | null;
  leaseHost: string | null;
  heartbeatAt: string | null;
}

export interface EventRow {
  id: number;
  at: string;
  trackId: string | null;
  runId: number | null;
  type: string;
  data: unknown;
}

export interface QueueEntry {
  trackId: string;
  enqueuedAt: string;
  step: string | null;
  headSha: string | null;
  paused: boolean;
}

export interface LockRow {
  name: string;
  holder: string;
  pid: number;
  host: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface DbTrack {
  id: string;
  title: string;
  type: string;
  state: string;
  branch: string | null;
  worktree: string | null;
  agent: string | null;
  attempt: number;
  reason: string | null;
  merged_sha: string | null;
  archived: number;
  created_at: string;
  updated_at: string;
}

export interface DbRun {
  id: number;
  track_id: string;
  attempt: number;
  agent: string | null;
  state: string;
  started_at: string;
  ended_at: string | null;
  exit_code: number | null;
  reason: string | null;
  log_path: string | null;
  lease_pid: number | null;
  agent_pid: number | null;
  lease_host: string | null;
  heartbeat_at: string | null;
}

export interface DbEvent {
  id: number;
  at: string;
  track_id: string | null;
  run_id: number | null;
  type: string;
  data: string;
}

export interface DbQueue {
  track_id: string;
  enqueued_at: string;
  step: string | null;
  head_sha: string | null;
  paused: number;
}

export interface DbLock {
  name: string;
  holder: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: string;
}

export function toTrackRow(row: DbTrack, dependsOn: string[]): TrackRow {
  if (!isTrackState(row.state)) {
    throw damaged(`track ${row.id} has unknown state "${row.state}"`);
  }
  return {
    id: row.id,
    title: row.title,
    type: row.type,
    state: row.state,
    branch: row.branch,
    worktree: row.worktree,
    agent: row.agent,
    attempt: row.attempt,
    reason: row.reason,
    mergedSha: row.merged_sha,
    archived: row.archived !== 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    dependsOn,
  };
}

export function toRunRow(row: DbRun): RunRow {
  if (!(RUN_STATES as readonly string[]).includes(row.state)) {
    throw damaged(`run ${row.id} has unknown state "${row.state}"`);
  }
  return {
    id: row.id,
    trackId: row.track_id,
    attempt: row.attempt,
    agent: row.agent,
    state: row.state as RunState,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    exitCode: row.exit_code,
    reason: row.reason,
    logPath: row.log_path,
    leasePid: row.lease_pid,
    agentPid: row.agent_pid,
    leaseHost: row.lease_host,
    heartbeatAt: row.heartbeat_at,
  };
}

export function toEventRow(row: DbEvent): EventRow {
  return {
    id: row.id,
    at: row.at,
    trackId: row.track_id,
    runId: row.run_id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
  };
}

export function toQueueEntry(row: DbQueue): QueueEntry {
  return {
    trackId: row.track_id,
    enqueuedAt: row.enqueued_at,
    step: row.step,
    headSha: row.head_sha,
    paused: row.paused !== 0,
  };
}

export function toLockRow(row: DbLock): LockRow {
  return {
    name: row.name,
    holder: row.holder,
    pid: row.pid,
    host: row.host,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
  };
}

function damaged(what: string): UsageError {
  return new UsageError(`state.db is inconsistent: ${what}.`, {
    hint: 'Run `yardmaster doctor` to inspect it.',
  });
}
