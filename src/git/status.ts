// One `git status --porcelain=v2 --branch -z` answers three questions about a checkout at once:
// which commit it has, which branch, and which files have uncommitted changes (staged or not,
// and untracked files that are not ignored). Optionally limited to some paths.
import type { Git } from './git.js';

export interface CheckoutStatus {
  /** HEAD's commit; null before the first commit. */
  head: string | null;
  /** Short branch name; null when detached. */
  branch: string | null;
  /** Paths with uncommitted changes (both names of a staged rename). */
  dirty: string[];
  /** Those of `dirty` that git tracks (changed, renamed, unmerged): not the untracked files. */
  tracked: string[];
  /**
   * Those of `dirty` that are not in the index (and not ignored). A path can be in both lists:
   * in HEAD, deleted from the index, and present as a file.
   */
  untracked: string[];
}

/** Above this many paths, one unlimited status is cheaper than a long argument list. */
const MAX_PATHSPECS = 1000;

/**
 * The status of the checkout at `cwd`. With `paths`, only changes to those paths (and to files
 * under them, when one is a directory in the checkout) are listed.
 */
export async function checkoutStatus(
  git: Git,
  cwd: string,
  paths?: readonly string[],
): Promise<CheckoutStatus> {
  const limited = paths !== undefined && paths.length > 0 && paths.length <= MAX_PATHSPECS;
  const pathspecs = limited ? ['--', ...paths.map((p) => `:(literal)${p}`)] : [];
  const out = await git(
    ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', ...pathspecs],
    { cwd },
  );
  const status = parseStatusV2(out);
  if (paths !== undefined) {
    const wanted = new Set(paths);
    status.dirty = status.dirty.filter((f) => isAtOrUnder(f, wanted));
    status.tracked = status.tracked.filter((f) => isAtOrUnder(f, wanted));
    status.untracked = status.untracked.filter((f) => isAtOrUnder(f, wanted));
  }
  return status;
}

/** Whether `file` is one of `paths` or lies under one of them (as a directory). */
export function isAtOrUnder(file: string, paths: ReadonlySet<string>): boolean {
  for (let at = file.length; at > 0; at = file.lastIndexOf('/', at - 1)) {
    if (paths.has(file.slice(0, at))) return true;
  }
  return false;
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatusV2(out: string): CheckoutStatus {
  const status: CheckoutStatus = {
    head: null,
    branch: null,
    dirty: [],
    tracked: [],
    untracked: [],
  };
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === '') continue;
    if (f.startsWith('# branch.oid ')) {
      const oid = f.slice('# branch.oid '.length);
      status.head = oid === '(initial)' ? null : oid;
    } else if (f.startsWith('# branch.head ')) {
      const head = f.slice('# branch.head '.length);
      status.branch = head === '(detached)' ? null : head;
    } else if (f.startsWith('1 ')) status.tracked.push(after(f, 8));
    else if (f.startsWith('2 ')) {
      // A rename or copy: the new path, then the original as a field of its own.
      status.tracked.push(after(f, 9));
      const orig = fields[++i];
      if (orig) status.tracked.push(orig);
    } else if (f.startsWith('u ')) status.tracked.push(after(f, 10));
    else if (f.startsWith('? ')) status.untracked.push(f.slice(2));
  }
  status.dirty = [...status.tracked, ...status.untracked];
  return status;
}

/** What follows the first `n` space-separated fields (a path may contain spaces). */
function after(line: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) at = line.indexOf(' ', at) + 1;
  return line.slice(at);
}
