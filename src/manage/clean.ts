// `ym clean`: remove the worktrees and branches of merged, cancelled and archived tracks. What
// holds uncommitted changes, an operation in progress or commits that never reached the target is
// kept, and exactly that work is listed, unless --force. --dry-run changes nothing.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { requireConfig } from '../config/require.js';
import { dirtyFiles, listWorktrees, operationInProgress, refExists } from '../git/worktrees.js';
import { lastMergeRecord, SQUASHED_REFS } from '../merge/record.js';
import { branchFor, createRunEnv, type RunEnv } from '../runtime/env.js';
import type { TrackRow } from '../state/rows.js';
import { renderClean } from './clean-render.js';

export interface CleanOptions {
  dryRun: boolean;
  force: boolean;
}

export interface CleanItem {
  track: string;
  state: string;
  archived: boolean;
  worktree: string | null;
  branch: string | null;
  /** What removing them loses: uncommitted files, an operation in progress, commits not on the target. */
  uncommitted: string[];
  operation: string | null;
  unmerged: { sha: string; subject: string }[];
  /** A branch checked out in a checkout that is not the track's: never deleted. */
  branchInUse: string | null;
}

export async function clean(opts: CleanOptions, ctx: Context): Promise<ExitCodeValue> {
  await requireConfig(ctx);
  const env = await createRunEnv(ctx, () => undefined);
  const tracks = env.store
    .listTracks()
    .filter((t) => t.state === 'merged' || t.state === 'cancelled' || t.archived);
  const items: CleanItem[] = [];
  for (const t of tracks) {
    const item = await inspect(env, t);
    if (item) items.push(item);
  }
  const safe = (i: CleanItem) =>
    i.uncommitted.length === 0 && i.unmerged.length === 0 && i.operation === null;
  const remove = items.filter((i) => opts.force || safe(i));
  const keep = items.filter((i) => !remove.includes(i));
  if (!opts.dryRun) for (const item of remove) await removeItem(env, item, !safe(item));
  if (ctx.json) ctx.out.json({ dryRun: opts.dryRun, force: opts.force, remove, keep });
  else renderClean(ctx.out, { dryRun: opts.dryRun, remove, keep, lossy: (i) => !safe(i) });
  return keep.length > 0 && !opts.dryRun ? ExitCode.failed : ExitCode.ok;
}

async function inspect(env: RunEnv, t: TrackRow): Promise<CleanItem | null> {
  const { git, config } = env;
  const known = await listWorktrees(git);
  const worktree =
    t.worktree &&
    known.some((w) => path.resolve(w.path) === path.resolve(t.worktree!) && !w.prunable)
      ? t.worktree
      : null;
  if (t.worktree && !worktree && !existsSync(t.worktree)) {
    // Gone from disk: forget it (git too).
    await git.ok(['worktree', 'prune']);
    env.store.patchTrack(t.id, { worktree: null });
  }
  const branchName = t.branch ?? branchFor(config, t.id);
  const branch = (await refExists(git, `refs/heads/${branchName}`)) ? branchName : null;
  if (!worktree && !branch) return null;
  // A branch checked out somewhere else (the user's checkout) is never deleted.
  const inUse = branch
    ? known.find(
        (w) =>
          w.branch === branch && (!worktree || path.resolve(w.path) !== path.resolve(worktree)),
      )
    : undefined;
  const deletable = inUse ? null : branch;
  if (!worktree && !deletable) return null;
  const uncommitted = worktree
    ? await dirtyFiles(git, worktree).catch(() => ['(unreadable: git status failed)'])
    : [];
  const operation = worktree ? await operationInProgress(git, worktree).catch(() => null) : null;
  const heads = [
    ...(worktree ? [await git(['rev-parse', 'HEAD'], { cwd: worktree })] : []),
    ...(deletable ? [`refs/heads/${deletable}`] : []),
  ];
  // Reached the target: in its history, or (squash) the branch head its merge record names.
  const record = lastMergeRecord(env.store, t.id);
  const landed = [`refs/heads/${config.target}`];
  if (record?.branchHead && (await git.ok(['cat-file', '-e', `${record.branchHead}^{commit}`])))
    landed.push(record.branchHead);
  if (await refExists(git, `${SQUASHED_REFS}${t.id}`)) landed.push(`${SQUASHED_REFS}${t.id}`);
  const out = await git(['log', '--format=%H%x1f%s', ...heads, '--not', ...landed, '--']);
  const unmerged = out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [sha = '', subject = ''] = l.split('\x1f');
      return { sha, subject };
    });
  return {
    track: t.id,
    state: t.state,
    archived: t.archived,
    worktree,
    branch: deletable,
    uncommitted,
    operation,
    unmerged,
    branchInUse: inUse ? inUse.path : null,
  };
}

async function removeItem(env: RunEnv, item: CleanItem, forced: boolean): Promise<void> {
  const { git, store } = env;
  if (item.worktree) {
    await git(['worktree', 'remove', ...(forced ? ['--force', '--force'] : []), item.worktree]);
    store.patchTrack(item.track, { worktree: null });
  }
  if (item.branch) {
    // Verified above: merged into the target, or --force said to lose its commits.
    await git(['branch', '-D', item.branch]);
    store.patchTrack(item.track, { branch: null });
  }
  store.appendEvent({
    trackId: item.track,
    type: 'track.cleaned',
    data: {
      worktree: item.worktree,
      branch: item.branch,
      forced,
      lost: forced
        ? { uncommitted: item.uncommitted, unmerged: item.unmerged.map((c) => c.sha) }
        : null,
    },
  });
}
