// What the merge queue records about a landing, read back by revert, clean and the status detail:
// the last `track.state` event into `merged` (target before, strategy, the branch head that landed) and
// the ref that keeps a squashed branch's own commits alive.
import { z } from 'zod';
import type { StateStore } from '../state/store.js';

/** `refs/yardmaster/squashed/<id>`: the branch of a track merged by squash, kept for revert. */
export const SQUASHED_REFS = 'refs/yardmaster/squashed/';

const MergedData = z.object({
  to: z.literal('merged'),
  targetBefore: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .optional(),
  strategy: z.enum(['rebase', 'merge', 'squash']).optional(),
  branchHead: z
    .string()
    .regex(/^[0-9a-f]{40,64}$/)
    .optional(),
  commits: z.number().int().nonnegative().optional(),
});

export interface MergeRecord {
  eventId: number;
  /** The target's commit before the landing; absent for merges recorded by crash recovery. */
  targetBefore: string | null;
  strategy: 'rebase' | 'merge' | 'squash' | null;
  /** The track branch's head when it landed (for squash: its own commits). */
  branchHead: string | null;
  /** How many commits of the branch landed (before a merge commit or squash). */
  commits: number | null;
}

/** The latest merge of a track, or null when it was never merged. */
export function lastMergeRecord(store: StateStore, trackId: string): MergeRecord | null {
  let found: MergeRecord | null = null;
  for (const e of store.listEvents({ trackId })) {
    if (e.type !== 'track.state') continue;
    const parsed = MergedData.safeParse(e.data);
    if (!parsed.success) continue;
    found = {
      eventId: e.id,
      targetBefore: parsed.data.targetBefore ?? null,
      strategy: parsed.data.strategy ?? null,
      branchHead: parsed.data.branchHead ?? null,
      commits: parsed.data.commits ?? null,
    };
  }
  return found;
}
