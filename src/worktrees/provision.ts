// Gives a track its worktree on `ym/<id>`: resumes the one it has, recycles a clean worktree of
// a merged track (git worktree move + switch: milliseconds instead of a fresh checkout), or adds
// a fresh one. Creation is serialized (git's own locks race) and recorded in the database
// before it starts, and rolled back on failure, so no half-made worktree goes unknown. Only
// git's own registration work is serialized: the checkout of a fresh worktree's files, the
// track's docs, copied files and `worktrees.setup` (npm ci...) run after the lock is
// released, so tracks check out and set up in parallel.
import { copyFileSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { InterruptedError, WorkFailedError, YmError } from '../core/errors.js';
import { WORKTREE_LOCK, withLock } from '../runtime/leases.js';
import { dirtyFiles, listWorktrees, refExists } from '../git/worktrees.js';
import { localBranchExists, maybeRegisteredElsewhere } from '../git/files.js';
import type { TrackRow } from '../state/rows.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { runSetupCommands } from './setup-commands.js';
import { ensureTrackDocs } from './track-docs.js';
import { checkoutFiles, lastStep, needsCheckout } from './checkout.js';

export interface Provisioned {
  path: string;
  how: 'resumed' | 'recycled' | 'fresh';
}

let chain: Promise<unknown> = Promise.resolve();
/** One worktree operation at a time in this process (another process is kept out by a lock). */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

export async function withRepoLock<T>(env: RunEnv, fn: () => Promise<T>): Promise<T> {
  const held = await withLock(env, WORKTREE_LOCK, fn);
  if (held === null) throw new InterruptedError('Interrupted while waiting to create a worktree.');
  return held;
}

export async function provisionWorktree(
  env: RunEnv,
  track: TrackRow,
  base: string,
): Promise<Provisioned> {
  const made = await serialized(() => withRepoLock(env, () => provision(env, track, base)));
  // A resumed worktree got all this when it was made, unless its setup never finished (Ctrl-C
  // or kill -9 during `npm ci`, or a setup that failed): then it runs again.
  // A worktree that never got its files (no index) is prepared whatever the events say.
  if (made.how === 'resumed' && !unfinishedPreparation(env, track.id) && !needsCheckout(made.path))
    return made;
  env.store.appendEvent({
    trackId: track.id,
    type: 'worktree.preparing',
    data: { path: made.path },
  });
  await prepare(env, track.id, made.path);
  env.store.appendEvent({
    trackId: track.id,
    type: 'worktree.prepared',
    data: { path: made.path },
  });
  return made;
}

/** A worktree made or recycled (or being prepared) whose preparation never finished: killed in between. */
function unfinishedPreparation(env: RunEnv, trackId: string): boolean {
  const last = lastStep(env, trackId, [
    'worktree.creating',
    'worktree.recycling',
    'worktree.preparing',
    'worktree.prepared',
  ]);
  return last !== undefined && last.type !== 'worktree.prepared';
}

async function provision(env: RunEnv, track: TrackRow, base: string): Promise<Provisioned> {
  const { git, config } = env;
  const branch = branchFor(config, track.id);
  const want = path.join(env.worktreesDir, track.id);
  // Nothing at `want` on disk and no registration there or gone stale: git would list nothing
  // to resume or prune, so it is not asked (a process per track saved).
  const unknownToGit =
    !existsSync(want) && maybeRegisteredElsewhere(env.repo.commonDir, want) === false;
  const known = unknownToGit ? [] : await listWorktrees(git);
  const registered = known.find((w) => path.resolve(w.path) === want);
  if (registered && !registered.prunable) {
    if (
      registered.branch !== branch &&
      (await finishInterruptedRecycle(env, track.id, want, registered.branch, base))
    ) {
      return { path: want, how: 'recycled' };
    }
    if (registered.branch !== branch) {
      throw new WorkFailedError(
        `${want} is a worktree on ${registered.branch ?? 'a detached HEAD'}, not on ${branch}; not touching it.`,
        { hint: `Move it away (git worktree move), then run implement again.` },
      );
    }
    recordWorktree(env, track.id, want, branch);
    return { path: want, how: 'resumed' };
  }
  if (registered?.prunable) await git(['worktree', 'prune']);
  if (existsSync(want)) {
    throw new WorkFailedError(
      `${want} already exists and is not a worktree of this track; yardmaster never deletes it.`,
      {
        hint: 'Move or remove that directory yourself, or set worktrees.dir in yardmaster.json.',
      },
    );
  }
  mkdirSync(env.worktreesDir, { recursive: true });
  const branchExists =
    localBranchExists(env.repo.commonDir, branch) ?? (await refExists(git, `refs/heads/${branch}`));
  const recycled =
    !branchExists && config.worktrees.reuse ? await recycle(env, track, want, branch, base) : false;
  if (!recycled) await addFresh(env, track, want, branch, base, branchExists);
  return { path: want, how: recycled ? 'recycled' : 'fresh' };
}

/**
 * What every new worktree gets once git has made it, outside the worktree lock: the track's
 * docs on its branch, the copied files, then `worktrees.setup`. A failure fails the track and
 * keeps the worktree, recorded on it, as any failed attempt does. Each step can run again.
 */
async function prepare(env: RunEnv, trackId: string, want: string): Promise<void> {
  await checkoutFiles(env, trackId, want);
  await ensureTrackDocs(env, trackId, want);
  copyConfiguredFiles(env, want);
  await runSetupCommands(env, want);
}

/**
 * A recycle stopped (kill -9) between `git worktree move` and `git switch`: the donor's clean
 * worktree is at this track's path, detached or still on the donor's branch, recorded on this
 * track before the move (with a worktree.recycling event naming the donor), and the track's
 * branch does not exist yet. That is ours to finish; anything else is left alone.
 */
async function finishInterruptedRecycle(
  env: RunEnv,
  trackId: string,
  want: string,
  on: string | null,
  base: string,
): Promise<boolean> {
  const { git, config } = env;
  const branch = branchFor(config, trackId);
  if (env.store.getTrack(trackId)?.worktree !== want) return false;
  const moved = env.store
    .listEvents({ trackId })
    .filter((e) => e.type === 'worktree.recycling')
    .map((e) => e.data as { to?: string; donor?: string } | null)
    .findLast((d) => d?.to === want && d.donor !== undefined);
  if (!moved?.donor || (on !== null && on !== branchFor(config, moved.donor))) return false;
  if (await refExists(git, `refs/heads/${branch}`)) return false;
  if ((await dirtyFiles(git, want, 'normal')).length > 0) return false;
  env.store.appendEvent({
    trackId,
    type: 'worktree.recycling',
    data: { to: want, donor: moved.donor, resumed: true },
  });
  // -c, not -C: git itself refuses to reset a branch that exists after all.
  await git(['switch', '--quiet', '--no-guess', '-c', branch, base], { cwd: want });
  await git(['clean', '-fdq'], { cwd: want });
  return true;
}

/** Records the worktree path on the track without changing its state. */
function recordWorktree(
  env: RunEnv,
  trackId: string,
  worktree: string | null,
  branch?: string,
): void {
  env.store.patchTrack(trackId, { worktree, ...(branch ? { branch } : {}) });
}

async function addFresh(
  env: RunEnv,
  track: TrackRow,
  want: string,
  branch: string,
  base: string,
  branchExists: boolean,
) {
  const { git } = env;
  recordWorktree(env, track.id, want, branch);
  env.store.appendEvent({
    trackId: track.id,
    type: 'worktree.creating',
    data: { path: want, branch, base },
  });
  try {
    // Only the registration is git's racy part; the checkout of the files runs after the lock
    // (checkoutFiles, in prepare), so tracks check out in parallel.
    await git(
      branchExists
        ? ['worktree', 'add', '--no-checkout', want, branch]
        : ['worktree', 'add', '--no-checkout', '-b', branch, want, base],
    );
  } catch (err) {
    // Roll back: the directory is ours and empty of user work (git just created it).
    if (existsSync(want)) await git.ok(['worktree', 'remove', '--force', want]);
    await git.ok(['worktree', 'prune']);
    // Only the branch this add created: one still at the base carries no commit of anyone's.
    if (!branchExists) await git.ok(['update-ref', '-d', `refs/heads/${branch}`, base]);
    recordWorktree(env, track.id, null);
    throw err instanceof YmError
      ? err
      : new WorkFailedError(`could not create worktree ${want}: ${String(err)}`);
  }
}

/** Takes a clean worktree of a merged track and switches it to this track's branch. */
async function recycle(
  env: RunEnv,
  track: TrackRow,
  want: string,
  branch: string,
  base: string,
): Promise<boolean> {
  const { git, store } = env;
  const candidates = store
    .listTracks()
    .filter(
      (t) =>
        (t.state === 'merged' || t.state === 'reverted') && t.worktree && existsSync(t.worktree),
    );
  for (const donor of candidates) {
    const from = donor.worktree!;
    try {
      // Never recycle a worktree with uncommitted work. Untracked files are all it takes, not
      // their full list: `normal` reports a new directory as one entry without walking it.
      // Ignored files (node_modules, build caches) are what the pool keeps, on purpose.
      if ((await dirtyFiles(git, from, 'normal')).length > 0) continue;
    } catch {
      continue;
    }
    store.appendEvent({
      trackId: track.id,
      type: 'worktree.recycling',
      data: { from, to: want, donor: donor.id },
    });
    recordWorktree(env, donor.id, null);
    recordWorktree(env, track.id, want, branch);
    try {
      await git(['worktree', 'move', from, want]);
    } catch {
      recordWorktree(env, donor.id, from);
      recordWorktree(env, track.id, null);
      continue;
    }
    try {
      // -c, not -C: git itself refuses to reset a branch that exists after all.
      await git(['switch', '--quiet', '--no-guess', '-c', branch, base], { cwd: want });
      // Untracked leftovers go; ignored caches such as node_modules stay.
      await git(['clean', '-fdq'], { cwd: want });
      return true;
    } catch {
      // Clean and ours: safe to drop, then fall back to a fresh worktree.
      await git.ok(['worktree', 'remove', '--force', want]);
      recordWorktree(env, track.id, null);
      return false;
    }
  }
  return false;
}

export function copyConfiguredFiles(env: RunEnv, worktree: string): void {
  const source = env.repo.mainRoot ?? env.repo.root;
  for (const rel of env.config.worktrees.copy) {
    const from = path.resolve(source, rel);
    const to = path.resolve(worktree, rel);
    if (!from.startsWith(source + path.sep) || !to.startsWith(worktree + path.sep)) {
      throw new WorkFailedError(`worktrees.copy: "${rel}" is outside the repository.`);
    }
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    mkdirSync(path.dirname(to), { recursive: true });
    // A reflink where the filesystem can (copy-on-write), else a plain copy.
    copyFileSync(from, to, constants.COPYFILE_FICLONE);
  }
}
