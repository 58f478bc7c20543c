// What the built-in checks need to know about the commit they judge, asked of git once: the
// commit, the target's head, where they meet, which files the track changed since then, and
// the track's own documents (from the working tree, or from the commit for the pre-push hook).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProcessRunner } from '../proc/run.js';
import { UsageError } from '../core/errors.js';
import { createGit, type Git } from '../git/git.js';
import { readBlobs } from '../git/plans.js';
import { trackDocsPath } from '../tracks/files.js';

export interface Revision {
  git: Git;
  run: ProcessRunner;
  /** Root of the checkout (git commands and working-tree reads happen here). */
  root: string;
  trackId: string;
  target: string;
  /** The commit being judged. */
  head: string;
  /** The target's current commit, or null when the ref does not exist. */
  targetSha: string | null;
  /** merge-base of target and head; null with `baseProblem` saying why. */
  base: string | null;
  baseProblem: string | null;
  /** Files changed between base and head (added, modified, deleted; renames as delete + add). */
  changed: string[] | null;
  /** Reads a file of the track's docs folder (`plan.md`, `track.json`); null when missing. */
  readTrackFile(name: string): Promise<string | null>;
}

export async function loadRevision(
  run: ProcessRunner,
  cwd: string,
  trackId: string,
  target: string,
  rev: string | undefined,
  resolved?: { head: string; targetSha?: string | undefined; base?: string | undefined },
): Promise<Revision> {
  const known = rev === undefined ? resolved : undefined;
  if (known?.targetSha !== undefined) {
    return describeRevision(
      run,
      cwd,
      trackId,
      target,
      rev,
      known.head,
      known.targetSha,
      known.base,
    );
  }
  const root = known ? cwd : (await createGit(run, cwd)(['rev-parse', '--show-toplevel'])).trim();
  let head = known?.head;
  if (head === undefined) {
    const h = await run(
      'git',
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev ?? 'HEAD'}^{commit}`],
      {
        cwd: root,
        reject: false,
      },
    );
    if (h.exitCode !== 0) {
      throw new UsageError(
        rev === undefined ? `${root} has no commit checked out.` : `Not a commit here: ${rev}`,
      );
    }
    head = h.stdout.trim();
  }
  const t = await run(
    'git',
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${target}^{commit}`],
    {
      cwd: root,
      reject: false,
    },
  );
  const targetSha = t.exitCode === 0 ? t.stdout.trim() : null;
  return describeRevision(run, root, trackId, target, rev, head, targetSha);
}

/** The rest of a Revision, once the checkout's root, the head and the target are known. */
async function describeRevision(
  run: ProcessRunner,
  root: string,
  trackId: string,
  target: string,
  rev: string | undefined,
  head: string,
  targetSha: string | null,
  knownBase?: string,
): Promise<Revision> {
  const git = createGit(run, root);
  // A base given by the caller, who has just built `head` on it, is not asked for again.
  let base: string | null = knownBase ?? null;
  let baseProblem: string | null = null;
  if (base === null && targetSha === null) {
    baseProblem = `the target "${target}" does not exist here (fetch it, or set "target" in yardmaster.json)`;
  } else if (base === null && targetSha !== null) {
    const mb = await run('git', ['merge-base', targetSha, head], { cwd: root, reject: false });
    if (mb.exitCode === 0) base = mb.stdout.trim();
    else {
      const shallow = (await git(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
      baseProblem = shallow
        ? `no common history with "${target}" in this shallow clone (clone with fetch-depth: 0 / GIT_DEPTH: 0)`
        : `"${target}" and the checked commit share no history`;
    }
  }
  let changed: string[] | null = null;
  if (base !== null) {
    const diff = await git([
      'diff',
      '--name-only',
      '-z',
      '--no-renames',
      '--no-ext-diff',
      base,
      head,
    ]);
    changed = diff.split('\0').filter((p) => p !== '');
  }
  const docs = trackDocsPath(trackId);
  const readTrackFile = async (name: string): Promise<string | null> => {
    if (rev === undefined) {
      const file = path.join(root, docs, name);
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    }
    const spec = `${head}:${docs}/${name}`;
    return (await readBlobs(run, root, [spec])).get(spec) ?? null;
  };
  return {
    git,
    run,
    root,
    trackId,
    target,
    head,
    targetSha,
    base,
    baseProblem,
    changed,
    readTrackFile,
  };
}
