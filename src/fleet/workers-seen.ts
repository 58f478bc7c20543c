// Which worker of the fleet last took each track's job (the coordinator's fleet.worker
// events): what `ym status` shows next to a track run by the bullmq engine.
import type { StateStore } from '../state/store.js';

/** Meta key set once a fleet run has used this state.db: status looks for workers then only. */
export const META_FLEET_SEEN = 'fleet.seen';

export function lastWorkers(store: Pick<StateStore, 'listEvents'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of store.listEvents({})) {
    if (e.type === 'fleet.worker' && e.trackId) {
      const w = (e.data as { worker?: unknown } | null)?.worker;
      if (typeof w === 'string') out.set(e.trackId, w);
    }
  }
  return out;
}
