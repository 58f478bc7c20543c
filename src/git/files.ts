// What git keeps on disk about a worktree, read without starting a git process: with eight
// tracks at once every git process costs milliseconds of blocked event loop (node's spawn is
// synchronous). Only documented, stable parts of the layout are read (gitrepository-layout:
// the `.git` file, HEAD, `commondir`, loose refs, packed-refs, `worktrees/<id>/gitdir`), and
// every reader returns null when it cannot be sure (a reftable repository, a packed or
// symbolic ref, anything unexpected): the caller then asks git.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The git dir of a checkout: `<root>/.git` itself, or where its `gitdir:` file points. */
export function gitDirOf(root: string): string | null {
  const dotGit = path.join(root, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
  } catch {
    return null;
  }
  const m = /^gitdir: (.+)$/m.exec(read(dotGit) ?? '');
  if (!m) return null;
  const dir = path.resolve(root, m[1]!.trim());
  return existsSync(path.join(dir, 'HEAD')) ? dir : null;
}

/** The common dir (shared by all worktrees) of a git dir. */
function commonDirOf(gitDir: string): string {
  const rel = read(path.join(gitDir, 'commondir'))?.trim();
  return rel ? path.resolve(gitDir, rel) : gitDir;
}

/** A reftable repository keeps refs in a binary table: not read here. */
function usesReftable(commonDir: string): boolean {
  return existsSync(path.join(commonDir, 'reftable'));
}

/**
 * The commit checked out in `root`, when HEAD is detached or names a branch stored as a loose
 * ref (as every branch git just created or moved is); null otherwise (ask git).
 */
export function headOf(root: string): string | null {
  const gitDir = gitDirOf(root);
  if (!gitDir) return null;
  const head = read(path.join(gitDir, 'HEAD'))?.trim();
  if (!head) return null;
  if (SHA.test(head)) return head;
  const m = /^ref: (refs\/heads\/\S+)$/.exec(head);
  if (!m) return null;
  const commonDir = commonDirOf(gitDir);
  if (usesReftable(commonDir)) return null;
  const value = read(path.join(commonDir, m[1]!))?.trim();
  return value && SHA.test(value) ? value : null;
}

/**
 * The object id in a loose ref file (git replaces these files by rename, so one read sees a
 * whole value), or null: packed, symbolic, missing, or a reftable repository.
 */
export function looseRef(commonDir: string, ref: string): string | null {
  if (usesReftable(commonDir)) return null;
  const text = read(path.join(commonDir, ...ref.split('/')))?.trim();
  return text && SHA.test(text) ? text : null;
}

/**
 * Whether the local branch exists: a loose ref or a packed-refs entry (git looks in the same
 * two places, loose first). Null for a reftable repository.
 */
export function localBranchExists(commonDir: string, branch: string): boolean | null {
  if (usesReftable(commonDir)) return null;
  const ref = `refs/heads/${branch}`;
  try {
    const st = statSync(path.join(commonDir, ref));
    if (st.isFile()) return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return null;
  }
  const packed = read(path.join(commonDir, 'packed-refs'));
  if (packed === null) return existsSync(path.join(commonDir, 'packed-refs')) ? null : false;
  return packed
    .split('\n')
    .some(
      (line) => line.endsWith(` ${ref}`) && SHA.test(line.slice(0, line.length - ref.length - 1)),
    );
}

/**
 * True when git may have a worktree registered at `dir` that is not on disk: one of its
 * registrations points there, or points to a directory that is gone (a registration's path
 * is compared as git wrote it, so any missing one counts, whatever path it names). False
 * means `git worktree list` would show nothing at `dir` and nothing to prune. Null: unsure.
 */
export function maybeRegisteredElsewhere(commonDir: string, dir: string): boolean | null {
  const admin = path.join(commonDir, 'worktrees');
  let names: string[];
  try {
    names = readdirSync(admin);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : null;
  }
  for (const name of names) {
    const gitdir = read(path.join(admin, name, 'gitdir'))?.trim();
    if (!gitdir) return null;
    const dotGit = path.resolve(admin, name, gitdir);
    if (path.dirname(dotGit) === dir || !existsSync(dotGit)) return true;
  }
  return false;
}
