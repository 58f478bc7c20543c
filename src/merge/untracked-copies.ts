// Untracked files of a user's checkout that stand where a landing brings a file. Usually they are
// the user's work and hold the landing. One is not when its exact bytes are already in git: the
// blob that lands at that path, or, for a track's docs, the blob yardmaster copied from this
// checkout onto the track's branch (the commit `trackDocsRef` names; the agent may have ticked
// plan.md since, so what lands differs). Such a copy is replaced: git's two-way merge refuses to
// overwrite an untracked file, so it is moved into the checkout's git dir, checked there (where
// nobody edits it), and dropped only once the checkout has the landed file; put back otherwise.
import { linkSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Git } from '../git/git.js';
import { TRACKS_DIR, trackDocsRef } from '../tracks/paths.js';

/** Of `files` (untracked in the checkout at `root`), the copies of what git already holds. */
export async function replaceableCopies(
  git: Git,
  root: string,
  newSha: string,
  files: readonly string[],
): Promise<string[]> {
  return (await classify(git, root, newSha, files)).copies;
}

/**
 * Runs `update` (the checkout's two-way merge) with the replaceable copies among `files` moved
 * out of its way. Each is taken by a rename (atomic: an edit after it goes to a new file, which
 * then stays) and hashed again where it was put; if one is not a known blob any more, all go
 * back and `update` does not run. Returns whether `update` ran and succeeded; when it did not,
 * every copy is back in place (one whose place was taken meanwhile stays in the git dir).
 */
export async function withCopiesAside(
  git: Git,
  root: string,
  newSha: string,
  files: readonly string[],
  update: () => Promise<boolean>,
): Promise<boolean> {
  const { copies, known } = await classify(git, root, newSha, files);
  if (!copies.length) return false;
  const gitDir = await git(['rev-parse', '--absolute-git-dir'], { cwd: root });
  const aside = mkdtempSync(join(gitDir, 'yardmaster-set-aside-'));
  const moved: string[] = [];
  let ok = false;
  try {
    for (const f of copies) {
      mkdirSync(dirname(join(aside, f)), { recursive: true });
      renameSync(join(root, f), join(aside, f));
      moved.push(f);
    }
    const hashes = await hashFiles(
      git,
      root,
      moved.map((f) => join(aside, f)),
    );
    if (moved.every((f, i) => known.get(f)?.has(hashes[i]!))) ok = await update();
  } catch {
    ok = false;
  } finally {
    const kept = ok ? [] : moved.filter((f) => !putBack(join(aside, f), join(root, f)));
    // After a successful update every copy is a blob git holds: nothing is lost by dropping it.
    if (kept.length === 0) rmSync(aside, { recursive: true, force: true });
  }
  return ok;
}

async function classify(
  git: Git,
  root: string,
  newSha: string,
  files: readonly string[],
): Promise<{ copies: string[]; known: Map<string, Set<string>> }> {
  const regular = files.filter(
    (f) => !f.includes('\n') && lstatSync(join(root, f), { throwIfNoEntry: false })?.isFile(),
  );
  if (!regular.length) return { copies: [], known: new Map() };
  const [known, hashes] = await Promise.all([
    knownBlobs(git, root, newSha, regular),
    hashFiles(
      git,
      root,
      regular.map((f) => join(root, f)),
    ),
  ]);
  return { copies: regular.filter((f, i) => known.get(f)?.has(hashes[i]!)), known };
}

/** Moves `from` back to `to` unless something took its place meanwhile; whether it did. */
function putBack(from: string, to: string): boolean {
  try {
    mkdirSync(dirname(to), { recursive: true });
    linkSync(from, to); // a hard link never replaces an existing file (a rename would)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    try {
      // A file system without hard links: a rename, while the place is still free.
      if (lstatSync(to, { throwIfNoEntry: false })) return false;
      renameSync(from, to);
      return true;
    } catch {
      return false;
    }
  }
  rmSync(from, { force: true });
  return true;
}

const TRACK_DOC = new RegExp(`^${TRACKS_DIR}/([a-z0-9][a-z0-9-]*)/[^/]+$`);

/** For each path: the blobs a copy of it may equal (what lands there; the track's own docs). */
async function knownBlobs(
  git: Git,
  root: string,
  newSha: string,
  files: readonly string[],
): Promise<Map<string, Set<string>>> {
  const asks = files.flatMap((f) => {
    const id = TRACK_DOC.exec(f)?.[1];
    return [{ f, rev: newSha }, ...(id ? [{ f, rev: trackDocsRef(id) }] : [])];
  });
  // One process for them all; a missing ref or path answers "missing".
  const out = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    cwd: root,
    input: asks.map((a) => `${a.rev}:${a.f}\n`).join(''),
  });
  const known = new Map<string, Set<string>>(files.map((f) => [f, new Set()]));
  out.split('\n').forEach((line, i) => {
    const blob = /^([0-9a-f]{40,64}) blob$/.exec(line)?.[1];
    if (blob && asks[i]) known.get(asks[i].f)!.add(blob);
  });
  return known;
}

/** The blob id of each file's bytes as they are (no clean filter: byte-identical or not). */
async function hashFiles(git: Git, root: string, absolute: readonly string[]): Promise<string[]> {
  const out = await git(['hash-object', '--no-filters', '--stdin-paths'], {
    cwd: root,
    input: `${absolute.join('\n')}\n`,
  });
  return out.split('\n');
}
