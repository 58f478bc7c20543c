// A track's branch must carry its docs (spec.md, plan.md, track.json) so the agent can read and
// tick them there. When the target does not have them yet (not committed), they are copied from
// the main checkout and committed as the branch's first commit. A ref names that commit: the
// copies left untracked in the checkout are yardmaster's, and the landing may replace them.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WorkFailedError } from '../core/errors.js';
import { trackDocsPath } from '../tracks/files.js';
import { trackDocsRef } from '../tracks/paths.js';
import type { RunEnv } from '../runtime/env.js';
import { trailerArgs } from '../git/track-commits.js';

const DOC_FILES = ['track.json', 'spec.md', 'plan.md'] as const;

export async function ensureTrackDocs(
  env: RunEnv,
  trackId: string,
  worktree: string,
): Promise<void> {
  const rel = trackDocsPath(trackId);
  const target = path.join(worktree, rel);
  if (existsSync(path.join(target, 'track.json'))) return;
  const source = path.join(env.repo.root, rel);
  if (!existsSync(path.join(source, 'track.json'))) {
    throw new WorkFailedError(`The docs of track "${trackId}" are missing: ${source}/track.json.`);
  }
  mkdirSync(target, { recursive: true });
  for (const f of DOC_FILES) {
    if (existsSync(path.join(source, f))) copyFileSync(path.join(source, f), path.join(target, f));
  }
  await env.git(['add', '--', rel], { cwd: worktree });
  await env.git(
    [
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      `chore(yardmaster): add track ${trackId}`,
      ...trailerArgs(trackId),
    ],
    {
      cwd: worktree,
    },
  );
  const docsCommit = await env.git(['rev-parse', 'HEAD'], { cwd: worktree });
  await env.git([
    'update-ref',
    '-m',
    `yardmaster: docs of ${trackId}`,
    trackDocsRef(trackId),
    docsCommit,
  ]);
}
