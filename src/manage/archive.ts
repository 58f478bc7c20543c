// `ym archive <id>`: move a finished track's docs from yardmaster/tracks/<id>/ to
// yardmaster/archive/<id>/ in the user's checkout, as a staged `git mv` they commit, and mark the
// track archived. Docs with uncommitted changes are refused: a move must not carry (or lose) them.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { createGit } from '../git/git.js';
import type { TrackState } from '../state/lifecycle.js';
import { archivedDocsPath, trackDocsPath } from '../tracks/files.js';
import { findTrack } from './find-track.js';

const FINISHED: readonly TrackState[] = ['merged', 'cancelled', 'reverted', 'failed'];

export async function archive(opts: { id: string }, ctx: Context): Promise<ExitCodeValue> {
  const { id, repo, store, track } = await findTrack(opts.id, ctx);
  const from = trackDocsPath(id);
  const to = archivedDocsPath(id);
  const abs = (rel: string) => path.join(repo.root, rel);
  if (track.archived && !existsSync(abs(from))) {
    if (ctx.json) ctx.out.json({ id, archived: true, moved: false, to });
    else ctx.out.line(`${id} is already archived (${to}/).`);
    return ExitCode.ok;
  }
  if (!FINISHED.includes(track.state)) {
    throw new UsageError(
      `Track ${id} is ${track.state}; only a finished track (${FINISHED.join(', ')}) can be archived.`,
      {
        hint: `Stop it first with \`ym cancel ${id}\`.`,
      },
    );
  }
  if (!existsSync(abs(from)))
    throw new UsageError(`${from}/ does not exist in ${repo.root}; nothing to archive.`);
  if (existsSync(abs(to)))
    throw new UsageError(`${to}/ already exists in ${repo.root}; not overwriting it.`, {
      hint: 'Move it away first.',
    });
  const git = createGit(ctx.run, repo.root);
  const dirty = (await git(['status', '--porcelain', '-z', '--untracked-files=all', '--', from]))
    .split('\0')
    .filter(Boolean)
    .map((l) => l.slice(3));
  if (dirty.length > 0) {
    throw new UsageError(
      `${from}/ has uncommitted changes (${dirty.join(', ')}); nothing was moved.`,
      {
        hint: 'Commit them (or discard them with git restore / git clean), then run ym archive again.',
      },
    );
  }
  mkdirSync(path.dirname(abs(to)), { recursive: true });
  await git(['mv', '--', from, to]);
  store.setArchived(id, true, { from, to });
  if (ctx.json) ctx.out.json({ id, archived: true, moved: true, from, to });
  else {
    ctx.out.line(`Archived ${id}: moved ${from}/ to ${to}/ (staged).`);
    ctx.out.line(`Commit it: git commit -m "Archive track ${id}"`);
  }
  return ExitCode.ok;
}
