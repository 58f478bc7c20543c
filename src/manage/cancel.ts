// `ym cancel <id>`: stop a track and keep its worktree. A track an `implement` process is running
// gets a `request.cancel` event, which that process's lease watcher honours within a second (it
// stops the agent's process group and records `cancelled`); any other track is moved to
// `cancelled` directly, after ending what a dead process may have left running.
import type { Context } from '../context.js';
import { ExitCode, UsageError, WorkFailedError, type ExitCodeValue } from '../core/errors.js';
import { killTree } from '../proc/run.js';
import { isAliveHere } from '../runtime/leases.js';
import { STALE_AFTER_MS } from '../engine/recover.js';
import { sleep } from '../runtime/sleep.js';
import { isActive } from '../state/lifecycle.js';
import type { TrackRow } from '../state/rows.js';
import type { StateStore } from '../state/store.js';
import { findTrack } from './find-track.js';

export interface CancelOptions {
  id: string;
  /** How long to wait for a running process to honour the request. */
  waitMs?: number;
}

export async function cancel(opts: CancelOptions, ctx: Context): Promise<ExitCodeValue> {
  const { id, store, track } = await findTrack(opts.id, ctx);
  if (track.state === 'cancelled') return done(ctx, track, `${id} was already cancelled.`);
  if (track.state === 'merged' || track.state === 'reverted') {
    throw new UsageError(`Track ${id} is ${track.state}; there is nothing to cancel.`, {
      hint:
        track.state === 'merged' ? `Undo it on the target with \`ym revert ${id}\`.` : undefined,
    });
  }
  if (track.state === 'merging') {
    throw new UsageError(
      `Track ${id} is being merged right now; a merge is never stopped half-way.`,
      {
        hint: `Wait for it to finish (ym status), then undo it with \`ym revert ${id}\` if needed.`,
      },
    );
  }
  const live = liveRuns(store, id);
  if (isActive(track.state) && live.length > 0) {
    const run = live[live.length - 1]!;
    store.appendEvent({
      trackId: id,
      runId: run.id,
      type: 'request.cancel',
      data: { pid: process.pid },
    });
    ctx.out.info(`Asked the implement process (pid ${run.leasePid ?? '?'}) to stop ${id}...`);
    const deadline = ctx.clock.now().getTime() + (opts.waitMs ?? 15_000);
    while (ctx.clock.now().getTime() < deadline && !ctx.signal.aborted) {
      const now = store.getTrack(id)!;
      if (now.state === 'cancelled')
        return done(ctx, now, `Cancelled ${id}: its implement process stopped it.`);
      if (!isActive(now.state)) break; // it finished first: cancel what it became
      await sleep(100, ctx.signal);
    }
    const now = store.getTrack(id)!;
    if (isActive(now.state)) {
      throw new WorkFailedError(
        `The implement process (pid ${run.leasePid ?? '?'}) has not stopped ${id} yet; the request stays recorded.`,
        {
          hint: 'Check `ym status` in a moment; Ctrl-C in that process stops everything it runs.',
        },
      );
    }
    return cancelDirectly(ctx, store, now);
  }
  return cancelDirectly(ctx, store, track);
}

function cancelDirectly(ctx: Context, store: StateStore, track: TrackRow): ExitCodeValue {
  if (track.state === 'cancelled')
    return done(ctx, track, `Cancelled ${track.id}: its implement process stopped it.`);
  if (track.state === 'merged' || track.state === 'merging') {
    throw new UsageError(
      `Track ${track.id} became ${track.state} meanwhile; nothing was cancelled.`,
    );
  }
  // Runs whose process is gone: end whatever their agent left behind, as crash recovery would.
  for (const run of store.listRuns(track.id).filter((r) => r.state === 'running')) {
    if (
      run.agentPid !== null &&
      run.leasePid !== null &&
      run.leaseHost !== null &&
      !isAliveHere(run.leasePid, run.leaseHost)
    ) {
      killTree(run.agentPid, 'SIGKILL', true);
    }
    store.finishRun(run.id, {
      state: 'interrupted',
      reason: 'cancelled; the process running it was gone',
    });
  }
  const now = store.transition(track.id, 'cancelled', {
    from: track.state,
    reason: 'cancelled by ym cancel',
  });
  store.dequeue(track.id);
  return done(ctx, now, `Cancelled ${track.id} (it was ${track.state}).`);
}

/** Running runs whose holder is alive and renews its lease. */
function liveRuns(store: StateStore, id: string) {
  const stale = new Set(
    store.staleRuns({ staleAfterMs: STALE_AFTER_MS, isAlive: isAliveHere }).map((r) => r.id),
  );
  return store.listRuns(id).filter((r) => r.state === 'running' && !stale.has(r.id));
}

function done(ctx: Context, track: TrackRow, text: string): ExitCodeValue {
  if (ctx.json)
    ctx.out.json({
      id: track.id,
      state: track.state,
      worktree: track.worktree,
      branch: track.branch,
    });
  else ctx.out.line(`${text}${track.worktree ? ` Its worktree stays: ${track.worktree}` : ''}`);
  return ExitCode.ok;
}
