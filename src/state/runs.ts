// Runs: one attempt of an agent at a track, held by a lease (pid, host, heartbeat) so a later
// process can tell a live run from one whose process died.

import { UsageError } from '../core/errors.js';
import type { StoreContext } from './context.js';
import { StateConflictError } from './errors.js';
import { toRunRow, type DbRun, type RunRow, type RunState } from './rows.js';
import { unknownTrack } from './tracks.js';

export interface StartRunInput {
  trackId: string;
  attempt: number;
  agent: string | null;
  logPath?: string | null;
  /** Instead of logPath: the log is `<logDir>/<run id>.log`, named in the same transaction. */
  logDir?: string;
  pid: number;
  host: string;
}

export interface FinishRunInput {
  state: Exclude<RunState, 'running'>;
  exitCode?: number | null;
  reason?: string | null;
}

/** Decides whether a lease holder still exists; only meaningful for pids on this host. */
export type IsAlive = (pid: number, host: string) => boolean;

export interface StaleOptions {
  staleAfterMs: number;
  isAlive: IsAlive;
}

const SELECT_RUN = 'SELECT * FROM runs WHERE id = ?';

export function startRun(ctx: StoreContext, input: StartRunInput): RunRow {
  return ctx.write(() => {
    const exists = ctx
      .stmt<[string], number>('SELECT 1 FROM tracks WHERE id = ?')
      .pluck()
      .get(input.trackId);
    if (exists === undefined) throw unknownTrack(input.trackId);
    const now = ctx.now();
    const result = ctx
      .stmt(
        `INSERT INTO runs (track_id, attempt, agent, state, started_at, log_path, lease_pid, lease_host, heartbeat_at)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)`,
      )
      .run(
        input.trackId,
        input.attempt,
        input.agent,
        now,
        input.logPath ?? null,
        input.pid,
        input.host,
        now,
      );
    const runId = Number(result.lastInsertRowid);
    if (input.logDir !== undefined) {
      input = { ...input, logPath: `${input.logDir.replace(/\/+$/, '')}/${runId}.log` };
      ctx.stmt('UPDATE runs SET log_path = ? WHERE id = ?').run(input.logPath, runId);
    }
    ctx.insertEvent({
      trackId: input.trackId,
      runId,
      type: 'run.started',
      data: {
        attempt: input.attempt,
        agent: input.agent,
        logPath: input.logPath ?? null,
        pid: input.pid,
        host: input.host,
      },
    });
    return readRun(ctx, runId);
  });
}

/** Renews the lease. False when the run is no longer running (finished, or marked interrupted). */
export function heartbeat(ctx: StoreContext, runId: number): boolean {
  return ctx.write(
    () =>
      ctx
        .stmt<[string, number]>(
          "UPDATE runs SET heartbeat_at = ? WHERE id = ? AND state = 'running'",
        )
        .run(ctx.now(), runId).changes > 0,
  );
}

/** Records the pid of the agent's process group leader (set once it has started). */
export function setAgentPid(ctx: StoreContext, runId: number, pid: number | null): void {
  ctx.write(() =>
    ctx.stmt<[number | null, number]>('UPDATE runs SET agent_pid = ? WHERE id = ?').run(pid, runId),
  );
}

export function finishRun(ctx: StoreContext, runId: number, input: FinishRunInput): RunRow {
  return ctx.write(() => {
    const run = readRun(ctx, runId);
    if (run.state !== 'running')
      throw new StateConflictError(`Run ${runId}`, ['running'], run.state);
    const reason = input.reason ?? null;
    const exitCode = input.exitCode ?? null;
    ctx
      .stmt('UPDATE runs SET state = ?, ended_at = ?, exit_code = ?, reason = ? WHERE id = ?')
      .run(input.state, ctx.now(), exitCode, reason, runId);
    ctx.insertEvent({
      trackId: run.trackId,
      runId,
      type: 'run.finished',
      data: { attempt: run.attempt, state: input.state, exitCode, reason },
    });
    return readRun(ctx, runId);
  });
}

export function getRun(ctx: StoreContext, runId: number): RunRow | undefined {
  const row = ctx.stmt<[number], DbRun>(SELECT_RUN).get(runId);
  return row === undefined ? undefined : toRunRow(row);
}

export function listRuns(ctx: StoreContext, trackId: string): RunRow[] {
  return ctx
    .stmt<[string], DbRun>('SELECT * FROM runs WHERE track_id = ? ORDER BY id')
    .all(trackId)
    .map(toRunRow);
}

/** Running runs whose heartbeat is older than `staleAfterMs`, or whose lease holder is gone. */
export function staleRuns(ctx: StoreContext, opts: StaleOptions): RunRow[] {
  const cutoff = ctx.nowMs() - opts.staleAfterMs;
  return ctx
    .stmt<[], DbRun>("SELECT * FROM runs WHERE state = 'running' ORDER BY id")
    .all()
    .map(toRunRow)
    .filter((run) => {
      const beat = Date.parse(run.heartbeatAt ?? run.startedAt);
      if (Number.isNaN(beat) || beat < cutoff) return true;
      return (
        run.leasePid !== null &&
        run.leaseHost !== null &&
        !opts.isAlive(run.leasePid, run.leaseHost)
      );
    });
}

function readRun(ctx: StoreContext, runId: number): RunRow {
  const run = getRun(ctx, runId);
  if (run === undefined) throw new UsageError(`Unknown run ${runId}.`);
  return run;
}
