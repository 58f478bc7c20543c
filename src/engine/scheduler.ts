// Decides what runs: a track starts when all its dependencies are merged, at most `concurrency`
// at once (p-queue); a failed dependency blocks its dependents. Runs until nothing more can start.
import PQueue from 'p-queue';
import type { AgentDefinition } from '../agents/registry.js';
import type { TrackRow } from '../state/rows.js';
import { isActive, type TrackState } from '../state/lifecycle.js';
import { UsageError } from '../core/errors.js';
import { StateConflictError } from '../state/errors.js';
import { topoOrder } from '../core/graph.js';
import type { RunEnv } from '../runtime/env.js';
import { runTrack, type TrackOutcome } from './track-loop.js';
import { schedulePass } from '../flow/schedule.js';
import type { RunBudget } from './budget.js';

export interface ScheduleOptions {
  /** Tracks to run; all when empty. */
  ids: readonly string[];
  concurrency: number;
  agent: AgentDefinition;
  base: string;
  /** Declared scopes by track id (track.json), for `scheduling.overlap`. */
  scopes?: ReadonlyMap<string, readonly string[]>;
  /** Called when a track becomes ready (the merge queue's entry point). */
  onReady?: (trackId: string) => Promise<void>;
  /** The run's budget: checked before each attempt, fed the attempts' live usage. */
  budget?: RunBudget;
  /** `--fresh`: no agent session is continued. */
  fresh?: boolean;
}

export async function schedule(
  env: RunEnv,
  opts: ScheduleOptions,
): Promise<Map<string, TrackOutcome>> {
  const { store, ctx } = env;
  const outcomes = new Map<string, TrackOutcome>();
  const queue = new PQueue({ concurrency: opts.concurrency });
  const active = new Set<string>();
  let wake: () => void = () => undefined;
  let fatal: UsageError | undefined;
  const offered = new Set<string>();
  const selected = (rows: TrackRow[]) => {
    const ids = opts.ids.length ? new Set(opts.ids) : null;
    const order = topoOrder(new Map(rows.map((r) => [r.id, r.dependsOn])));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return order.map((id) => byId.get(id)!).filter((r) => !ids || ids.has(r.id));
  };
  const start = (id: string) => {
    env.report(id, 'queued');
    active.add(id);
    void queue.add(async () => {
      try {
        if (ctx.signal.aborted) return;
        const outcome = await runTrack(env, id, opts.agent, opts.base, {
          budget: opts.budget,
          fresh: opts.fresh,
        });
        outcomes.set(id, outcome);
        if (outcome === 'ready' && opts.onReady) {
          offered.add(id);
          await opts.onReady(id);
        }
      } catch (err) {
        outcomes.set(id, 'failed');
        settleAfterError(env, id, err);
        // Bad usage (an agent that is not installed) stops everything; anything else fails
        // only this track.
        if (err instanceof UsageError) fatal ??= err;
      } finally {
        active.delete(id);
        wake();
      }
    });
  };
  const offer = (id: string, onReady: (trackId: string) => Promise<void>) => {
    offered.add(id);
    active.add(id);
    void queue.add(async () => {
      try {
        await onReady(id);
      } catch (err) {
        if (err instanceof UsageError) fatal ??= err;
        else env.report(id, `merge error: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        active.delete(id);
        wake();
      }
    });
  };
  const waiting = new Set<string>();
  let repasses = 0;
  while (!ctx.signal.aborted && !fatal) {
    const rows = store.listTracks();
    // What to do is decided in src/flow/schedule.ts; each decision is a compare-and-swap here.
    const pass = schedulePass({
      tracks: selected(rows),
      states: new Map(rows.map((r) => [r.id, r.state])),
      active,
      offered,
      merging: opts.onReady !== undefined,
      overlap: env.config.scheduling.overlap,
      scopes: opts.scopes,
    });
    // The pass assumed each block and unblock takes; one that lost to another process makes
    // the decisions after it stale: stop applying them and pass again on what state.db says.
    let lost = false;
    for (const d of pass.decisions) {
      if (d.kind === 'offer') offer(d.id, opts.onReady!);
      else if (d.kind === 'block') {
        if (!claim(env, d.id, 'blocked', d.from, d.reason)) {
          lost = true;
          break;
        }
        env.report(d.id, `blocked: ${d.reason}`);
      } else if (d.kind === 'unblock') {
        if (!claim(env, d.id, 'planned', 'blocked', null)) {
          lost = true;
          break;
        }
        env.report(d.id, 'unblocked: no dependency is a dead end any more');
      } else if (d.kind === 'wait') {
        // Said once per pair: the track waits, as planned, for the other one to merge.
        const key = `${d.id}<${d.on}`;
        if (!waiting.has(key)) {
          waiting.add(key);
          store.appendEvent({
            trackId: d.id,
            type: 'schedule.overlap',
            data: { on: d.on, paths: d.paths },
          });
          env.report(
            d.id,
            `waits for ${d.on} to merge: their scopes overlap (${d.paths.join(', ')})`,
          );
        }
      } else if (!d.claim || claim(env, d.id, 'queued', 'planned')) {
        // (Another implement process may claim it first: then it is theirs.)
        start(d.id);
      }
    }
    // A track blocked or unblocked in this pass changes what its dependents may do.
    const changed = pass.changed || lost;
    // Look again at once: an unblocked track may start now. Passes in a row are bounded by the
    // depth of the dependency graph; the cap holds whatever state.db says.
    repasses = changed ? repasses + 1 : 0;
    if (changed && repasses <= rows.length) continue;
    if (active.size === 0) break;
    // One listener per wait, removed when the wait ends (50 tracks must not pile up listeners).
    await new Promise<void>((resolve) => {
      const done = () => {
        ctx.signal.removeEventListener('abort', done);
        resolve();
      };
      wake = done;
      ctx.signal.addEventListener('abort', done, { once: true });
    });
  }
  await queue.onIdle();
  if (fatal) throw fatal;
  return outcomes;
}

/** A compare-and-swap transition that loses gracefully to another process. */
function claim(
  env: RunEnv,
  id: string,
  to: TrackState,
  from: TrackState,
  reason?: string | null,
): boolean {
  try {
    env.store.transition(id, to, { from, ...(reason !== undefined ? { reason } : {}) });
    return true;
  } catch (err) {
    if (err instanceof StateConflictError) return false;
    throw err;
  }
}

/** A track whose runner threw must not stay in an active state: it is failed, with the error. */
function settleAfterError(env: RunEnv, trackId: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  env.report(trackId, `error: ${message}`);
  const track = env.store.getTrack(trackId);
  if (!track || !isActive(track.state)) return;
  env.store.atomically(() => {
    for (const run of env.store.listRuns(trackId)) {
      if (run.state === 'running')
        env.store.finishRun(run.id, { state: 'failed', reason: message });
    }
    env.store.transition(trackId, 'failed', { from: track.state, reason: message });
  });
}
