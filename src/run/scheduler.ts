// Decides what runs: a track starts when all its dependencies are merged, at most `concurrency`
// at once (p-queue); a failed dependency blocks its dependents. Runs until nothing more can start.
import PQueue from 'p-queue';
import type { AgentDefinition } from '../agents/registry.js';
import type { TrackRow } from '../state/rows.js';
import { isActive, type TrackState } from '../state/lifecycle.js';
import { UsageError } from '../core/errors.js';
import { StateConflictError } from '../state/errors.js';
import { topoOrder } from '../core/graph.js';
import type { RunEnv } from './env.js';
import { runTrack, type TrackOutcome } from './track-runner.js';

const WAITING: readonly TrackState[] = ['planned', 'queued', 'interrupted'];
const DEAD_ENDS: readonly TrackState[] = ['failed', 'blocked', 'cancelled', 'conflicted', 'reverted'];

export interface ScheduleOptions {
  /** Tracks to run; all when empty. */
  ids: readonly string[];
  concurrency: number;
  agent: AgentDefinition;
  base: string;
  /** Called when a track becomes ready (the merge queue's entry point). */
  onReady?: (trackId: string) => Promise<void>;
}

export async function schedule(env: RunEnv, opts: ScheduleOptions): Promise<Map<string, TrackOutcome>> {
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
  let repasses = 0;
  while (!ctx.signal.aborted && !fatal) {
    const rows = store.listTracks();
    const state = new Map(rows.map((r) => [r.id, r.state]));
    // A track blocked or unblocked in this pass changes what its dependents may do.
    let changed = false;
    for (const t of selected(rows)) {
      // Ready tracks left by an earlier run (or a crash before they reached the queue).
      if (t.state === 'ready' && opts.onReady && !active.has(t.id) && !offered.has(t.id)) {
        offered.add(t.id);
        active.add(t.id);
        const onReady = opts.onReady;
        void queue.add(async () => {
          try {
            await onReady(t.id);
          } catch (err) {
            if (err instanceof UsageError) fatal ??= err;
            else env.report(t.id, `merge error: ${err instanceof Error ? err.message : String(err)}`);
          } finally {
            active.delete(t.id);
            wake();
          }
        });
        continue;
      }
      if (active.has(t.id) || !(WAITING.includes(t.state) || t.state === 'blocked')) continue;
      const deadDep = t.dependsOn.find((d) => DEAD_ENDS.includes(state.get(d)!));
      if (deadDep) {
        if (t.state !== 'interrupted' && t.state !== 'blocked') {
          const reason = `dependency ${deadDep} is ${state.get(deadDep)}`;
          if (claim(env, t.id, 'blocked', t.state, reason)) {
            env.report(t.id, `blocked: ${reason}`);
            state.set(t.id, 'blocked');
            changed = true;
          }
        }
        continue;
      }
      // Blocked by a dependency that is no longer a dead end (retried, or merged by hand):
      // back to waiting for its dependencies like any planned track.
      if (t.state === 'blocked') {
        if (claim(env, t.id, 'planned', 'blocked', null)) {
          env.report(t.id, 'unblocked: no dependency is a dead end any more');
          state.set(t.id, 'planned');
          changed = true;
        }
        continue;
      }
      if (!t.dependsOn.every((d) => state.get(d) === 'merged')) continue;
      // Another implement process may take it first: then it is theirs.
      if (t.state === 'planned' && !claim(env, t.id, 'queued', 'planned')) continue;
      env.report(t.id, 'queued');
      active.add(t.id);
      void queue.add(async () => {
        try {
          if (ctx.signal.aborted) return;
          const outcome = await runTrack(env, t.id, opts.agent, opts.base);
          outcomes.set(t.id, outcome);
          if (outcome === 'ready' && opts.onReady) {
            offered.add(t.id);
            await opts.onReady(t.id);
          }
        } catch (err) {
          outcomes.set(t.id, 'failed');
          settleAfterError(env, t.id, err);
          // Bad usage (an agent that is not installed) stops everything; anything else fails
          // only this track.
          if (err instanceof UsageError) fatal ??= err;
        } finally {
          active.delete(t.id);
          wake();
        }
      });
    }
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
function claim(env: RunEnv, id: string, to: TrackState, from: TrackState, reason?: string | null): boolean {
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
      if (run.state === 'running') env.store.finishRun(run.id, { state: 'failed', reason: message });
    }
    env.store.transition(trackId, 'failed', { from: track.state, reason: message });
  });
}
