// What the keys of the live view do to the state store. Each action checks the track's state at
// the moment it runs (another process may have moved it) and answers with one line for the footer.
// The `implement` and merge processes pick the changes up from state.db.
import { YmError } from '../core/errors.js';
import { isActive, type TrackState } from '../state/lifecycle.js';
import { META_QUEUE_PAUSED } from '../state/meta.js';
import type { StateStore } from '../state/store.js';
import { canRetry, retryTrack } from '../manage/retry.js';
import type { Context } from '../context.js';

export interface ActionResult {
  ok: boolean;
  message: string;
}

export interface StatusActions {
  /** `r`: a failed or conflicted track goes back to `queued`, with a fresh set of attempts. */
  retry(id: string, reason?: string): ActionResult;
  /** `c` (after the confirm): asks the process running the track to stop it. */
  cancel(id: string): ActionResult;
  /** `m`: a ready track enters the merge queue now. */
  enqueue(id: string): ActionResult;
  /** `p`: pauses or resumes the whole merge queue. */
  togglePause(): ActionResult;
  /**
   * `a`: approves a ready track's current head (reads git, so it answers later); from the diff,
   * only when that head is `seenSha`, the one the diff showed.
   */
  approve(id: string, seenSha?: string): Promise<ActionResult>;
  /** `x` (after the reason is typed): back to its agent with the reason as feedback. */
  reject(id: string, reason: string): Promise<ActionResult>;
}

export function canCancel(state: TrackState): boolean {
  return isActive(state);
}

export function isQueuePaused(store: Pick<StateStore, 'getMeta'>): boolean {
  return store.getMeta(META_QUEUE_PAUSED) === '1';
}

/** `ctx`: for the actions that read git (approve, reject); without it they answer that they cannot. */
export function storeActions(store: StateStore, ctx?: Context): StatusActions {
  const guarded = (fn: () => ActionResult): ActionResult => {
    try {
      return fn();
    } catch (err) {
      return {
        ok: false,
        message: err instanceof YmError ? err.message : `failed: ${String(err)}`,
      };
    }
  };
  const stateOf = (id: string): TrackState | undefined => store.getTrack(id)?.state;
  const later = async (fn: () => Promise<ActionResult>): Promise<ActionResult> => {
    if (!ctx) return { ok: false, message: 'not available here: run `ym approve` or `ym reject`' };
    try {
      return await fn();
    } catch (err) {
      return {
        ok: false,
        message: err instanceof YmError ? err.message : `failed: ${String(err)}`,
      };
    }
  };
  return {
    approve: (id, seenSha) =>
      later(async () => {
        const { approveTracks, describeUser } = await import('../approval/verdicts.js');
        const seen = new Map(seenSha === undefined ? [] : [[id, seenSha]]);
        const { approved, by } = await approveTracks(ctx!, [id], seen);
        const sha = approved[0]?.sha.slice(0, 12) ?? '?';
        return {
          ok: true,
          message: `approved ${id} at ${sha} (by ${describeUser(by)}); the merge queue may land it`,
        };
      }),
    reject: (id, reason) =>
      later(async () => {
        const { rejectTrack } = await import('../approval/verdicts.js');
        return { ok: true, message: (await rejectTrack(ctx!, id, reason)).message };
      }),
    retry: (id, reason = 'retried from status') =>
      guarded(() => {
        const state = stateOf(id);
        if (state === undefined) return { ok: false, message: `${id}: no such track` };
        if (!canRetry(state))
          return {
            ok: false,
            message: `${id} is ${state}; only failed or conflicted tracks can be retried`,
          };
        retryTrack(store, id, reason);
        return { ok: true, message: `${id} retried: queued for the next implement run` };
      }),
    cancel: (id) =>
      guarded(() => {
        const state = stateOf(id);
        if (state === undefined) return { ok: false, message: `${id}: no such track` };
        if (!canCancel(state))
          return { ok: false, message: `${id} is ${state}; only running tracks can be cancelled` };
        store.appendEvent({ trackId: id, type: 'request.cancel', data: { by: 'status' } });
        return {
          ok: true,
          message: `cancel requested for ${id}; the implement process will stop it`,
        };
      }),
    enqueue: (id) =>
      guarded(() => {
        const state = stateOf(id);
        if (state === undefined) return { ok: false, message: `${id}: no such track` };
        if (state !== 'ready')
          return {
            ok: false,
            message: `${id} is ${state}; only ready tracks can enter the merge queue`,
          };
        return store.enqueue(id)
          ? { ok: true, message: `${id} entered the merge queue` }
          : { ok: false, message: `${id} is already in the merge queue` };
      }),
    togglePause: () =>
      guarded(() => {
        const paused = isQueuePaused(store);
        store.setMeta(META_QUEUE_PAUSED, paused ? null : '1', {
          type: paused ? 'queue.resumed' : 'queue.paused',
          data: { by: 'status' },
        });
        return { ok: true, message: paused ? 'merge queue resumed' : 'merge queue paused' };
      }),
  };
}
