// After a track merged: the remote branch goes (forges), the local branch goes (merge.deleteBranch),
// and the worktree is kept detached for the pool (worktrees.reuse) or removed when clean.
import type { RunEnv } from '../runtime/env.js';
import { branchFor } from '../runtime/env.js';
import { dirtyFiles } from '../git/worktrees.js';
import type { TrackRow } from '../state/rows.js';
import type { VcsProvider } from '../vcs/types.js';

/** `known.uncommitted`: the worktree's uncommitted files, when the caller has just looked. */
export async function cleanupAfterMerge(
  env: RunEnv,
  provider: VcsProvider,
  track: TrackRow,
  known: { uncommitted?: string[] } = {},
): Promise<void> {
  const { git, config, store } = env;
  const branch = branchFor(config, track.id);
  if (!config.merge.deleteBranch) return;
  await provider
    .deleteRemoteBranch(branch)
    .catch((err: unknown) =>
      env.report(track.id, `warning: could not delete the remote branch: ${String(err)}`),
    );
  const wt = track.worktree;
  if (wt) {
    // Never remove a worktree with uncommitted work.
    const uncommitted = known.uncommitted ?? (await dirtyFiles(git, wt).catch(() => ['?']));
    if (uncommitted.length > 0) {
      env.report(track.id, `kept ${wt}: it has uncommitted changes`);
      return;
    }
    if (config.worktrees.reuse) {
      await git(['switch', '--quiet', '--detach'], { cwd: wt });
    } else {
      await git(['worktree', 'remove', wt]);
      store.patchTrack(track.id, { worktree: null });
    }
  }
  await git.ok(['branch', '-D', branch]);
}
