// The user's own checkouts that have the target branch checked out. Moving the target ref under
// them would make their files look like changes, so after landing they are fast-forwarded with
// a two-way merge that keeps their uncommitted work (`git read-tree -m -u old new`), and a
// checkout whose uncommitted changes touch the incoming files blocks the landing instead. An
// untracked file whose bytes git already holds (what lands there, or the track docs yardmaster
// copied from the checkout) is no change of the user's: it is replaced (untracked-copies.ts).
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from '../git/git.js';
import { checkoutStatus, isAtOrUnder } from '../git/status.js';
import { listWorktrees } from '../git/worktrees.js';
import { replaceableCopies, withCopiesAside } from './untracked-copies.js';

export interface CheckoutPlan {
  /** Checkouts to fast-forward after landing. */
  update: string[];
  /** A checkout whose uncommitted changes overlap the merge: path and the files. */
  blocked: { path: string; files: string[] } | null;
}

/**
 * Which checkouts have the target, asked of `git worktree list` once and then trusted while
 * each still says it is on the target (git lets one branch be checked out in one place only,
 * so no other checkout can have taken it meanwhile). The merge queue keeps one per drain.
 */
export class TargetCheckouts {
  private known: string[] | null = null;
  constructor(
    private readonly git: Git,
    readonly target: string,
  ) {}

  async list(): Promise<string[]> {
    if (this.known) return this.known;
    const on = (await listWorktrees(this.git))
      .filter((w) => w.branch === this.target && !w.prunable)
      .map((w) => w.path);
    // None today does not mean none in a second: only a found checkout is remembered.
    if (on.length) this.known = on;
    return on;
  }

  forget(): void {
    this.known = null;
  }
}

export interface PlanOptions {
  /**
   * The files that differ between the two commits (renames as delete + add), when the caller
   * already knows them; otherwise git is asked, and only when a checkout has uncommitted changes.
   */
  changed?: readonly string[] | undefined;
  checkouts?: TargetCheckouts;
}

export async function planCheckouts(
  git: Git,
  target: string,
  oldSha: string,
  newSha: string,
  opts: PlanOptions = {},
): Promise<CheckoutPlan> {
  const checkouts = opts.checkouts ?? new TargetCheckouts(git, target);
  let changed: Set<string> | null = opts.changed ? new Set(opts.changed) : null;
  retry: for (let fresh = !opts.checkouts; ; fresh = true) {
    const plan: CheckoutPlan = { update: [], blocked: null };
    for (const path of await checkouts.list()) {
      let status;
      try {
        // Known changed files limit the status to them (a big checkout's full status is slow).
        status = await checkoutStatus(git, path, opts.changed);
      } catch (err) {
        if (fresh) throw err;
        checkouts.forget(); // a remembered checkout went away: ask git again
        continue retry;
      }
      if (status.branch !== target) {
        if (fresh) continue; // it left the target just now: not ours to update
        checkouts.forget();
        continue retry;
      }
      plan.update.push(path);
      if (plan.blocked || (status.dirty.length === 0 && changed === null)) continue;
      changed ??= new Set(
        (await git(['diff', '--name-only', '--no-renames', '-z', oldSha, newSha]))
          .split('\0')
          .filter(Boolean),
      );
      const dirty = status.dirty.filter((f) => isAtOrUnder(f, changed!));
      // Only files git knows nothing of (a path also staged one way or another is a change).
      const tracked = new Set(status.tracked);
      const copies = new Set(
        await replaceableCopies(
          git,
          path,
          newSha,
          status.untracked.filter((f) => !tracked.has(f) && isAtOrUnder(f, changed!)),
        ),
      );
      const overlap = [...dirty.filter((f) => !copies.has(f)), ...shadowingFiles(path, changed)];
      if (overlap.length) plan.blocked = { path, files: overlap };
    }
    return plan;
  }
}

/**
 * Files of the checkout that stand where the merge needs a directory (an untracked file `d`
 * where `d/x` arrives): a status limited to the changed paths does not list them, and the
 * checkout's update would fail on them after the target had moved.
 */
function shadowingFiles(root: string, changed: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const file of changed) {
    for (let at = file.indexOf('/'); at > 0; at = file.indexOf('/', at + 1)) {
      const dir = file.slice(0, at);
      if (changed.has(dir) || found.has(dir)) continue;
      const st = lstatSync(join(root, dir), { throwIfNoEntry: false });
      if (st && !st.isDirectory()) found.add(dir);
    }
  }
  return [...found];
}

/**
 * Brings the files of a checkout on the target from `oldSha` to `newSha`, keeping local changes.
 * git refuses when an untracked file stands where a file arrives; if those are copies of what git
 * holds (planCheckouts let them through), they are replaced, else the checkout stays as it was.
 */
export async function fastForwardCheckout(
  git: Git,
  path: string,
  oldSha: string,
  newSha: string,
): Promise<boolean> {
  const update = () => git.ok(['read-tree', '-m', '-u', oldSha, newSha], { cwd: path });
  if (await update()) return true;
  const changed = (await git(['diff', '--name-only', '--no-renames', '-z', oldSha, newSha]))
    .split('\0')
    .filter(Boolean);
  // Not in the index: the target ref moved before, so a file new in `newSha` shows as deleted too.
  const { untracked } = await checkoutStatus(git, path, changed);
  return withCopiesAside(git, path, newSha, untracked, update);
}
