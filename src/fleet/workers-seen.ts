// Which worker of the fleet ran each track's last attempt (the coordinator's fleet.worker
// events; the merge step's worker is not counted): what `ym status` shows next to a track run
// by the bullmq engine.
import type { StateStore } from '../state/store.js';

/** Meta key set once a fleet run has used this state.db: status looks for workers then only. */
export const META_FLEET_SEEN = 'fleet.seen';

export function lastWorkers(store: Pick<StateStore, 'listEvents'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of store.listEvents({})) {
    if (e.type === 'fleet.worker' && e.trackId) {
      const d = e.data as { worker?: unknown; step?: unknown } | null;
      if (typeof d?.worker === 'string' && d.step !== 'merge') out.set(e.trackId, d.worker);
    }
  }
  return out;
}
