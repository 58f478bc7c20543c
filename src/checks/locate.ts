// Which track `ym validate` checks, where, and against which target ref. Locally: the given id
// (or the track whose branch is checked out), in its worktree when state.db knows one. In CI: a
// fresh clone with no state.db, the track found from the CI's branch variables.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { assertTrackId } from '../core/track.js';
import { TRACK_ID_PATTERN, type Config } from '../config/schema.js';
import { trackDocsPath } from '../tracks/files.js';
import { stateDbPath } from '../state/open.js';
import { TRAILER_KEY } from './builtin.js';

export interface Located {
  trackId: string;
  /** Directory the checks run in. */
  checkout: string;
  /** Branch checked out there (null when detached). */
  branch: string | null;
  /** Ref the built-in checks compare with. */
  target: string;
  /** How the track was found, for messages (e.g. "GITHUB_HEAD_REF=ym/slugify"). */
  foundBy: string;
}

export interface LocateOptions {
  id?: string | undefined;
  ci: boolean;
  /** A commit to check instead of HEAD (pre-push hook): the current checkout, never a worktree. */
  rev?: string | undefined;
}

/** Branch variables of GitHub Actions and GitLab CI, in the order they are consulted. */
export const CI_BRANCH_VARIABLES = [
  'GITHUB_HEAD_REF',
  'GITHUB_REF_NAME',
  'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME',
  'CI_COMMIT_REF_NAME',
] as const;

async function gitOut(
  ctx: Pick<Context, 'run'>,
  cwd: string,
  args: string[],
): Promise<string | null> {
  const r = await ctx.run('git', args, { cwd, reject: false });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

const currentBranch = (ctx: Pick<Context, 'run'>, cwd: string) =>
  gitOut(ctx, cwd, ['symbolic-ref', '--short', '-q', 'HEAD']);

const refExists = async (ctx: Pick<Context, 'run'>, cwd: string, ref: string) =>
  (await gitOut(ctx, cwd, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ])) !== null;

const hasTrack = (checkout: string, id: string) =>
  existsSync(path.join(checkout, trackDocsPath(id), 'track.json'));

/** CI prefers the remote's view of the target (a CI clone rarely has the local branch). */
async function resolveTarget(
  ctx: Pick<Context, 'run'>,
  cwd: string,
  target: string,
  ci: boolean,
): Promise<string> {
  const order = ci ? [`origin/${target}`, target] : [target, `origin/${target}`];
  for (const ref of order) if (await refExists(ctx, cwd, ref)) return ref;
  throw new UsageError(
    `The target branch "${target}" was not found here (tried ${order.join(', ')}).`,
    {
      hint: ci
        ? 'Fetch the whole history in CI (actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: "0"), or fetch the target.'
        : 'Create the branch, or set "target" in yardmaster.json.',
    },
  );
}

export async function locate(ctx: Context, config: Config, opts: LocateOptions): Promise<Located> {
  const repo = await ctx.repo();
  const prefix = config.branchPrefix;
  if (opts.ci) return locateCi(ctx, config, opts.id, repo.root);
  let trackId: string;
  let foundBy: string;
  if (opts.id !== undefined) {
    trackId = assertTrackId(opts.id);
    foundBy = 'argument';
  } else {
    const branch = await currentBranch(ctx, repo.root);
    const id = branch?.startsWith(prefix) ? branch.slice(prefix.length) : null;
    if (id === null || !TRACK_ID_PATTERN.test(id)) {
      throw new UsageError(
        `No track given, and the current branch (${branch ?? 'detached HEAD'}) is not a track branch (${prefix}<id>).`,
        { hint: 'Pass the track id: `ym validate <id>` (`ym status` lists them).' },
      );
    }
    trackId = id;
    foundBy = `branch ${branch}`;
  }
  let checkout = repo.root;
  if (opts.rev === undefined && existsSync(stateDbPath(repo.stateDir))) {
    const worktree = (await ctx.state()).getTrack(trackId)?.worktree;
    if (worktree && existsSync(worktree)) checkout = worktree;
  }
  if (opts.rev === undefined && !hasTrack(checkout, trackId)) {
    throw new UsageError(
      `Unknown track "${trackId}": ${path.join(checkout, trackDocsPath(trackId), 'track.json')} does not exist.`,
      {
        hint: 'List the tracks with `ym status`.',
      },
    );
  }
  const branch = await currentBranch(ctx, checkout);
  if (opts.rev === undefined && branch !== `${prefix}${trackId}`) {
    ctx.out.warn(
      `checking ${checkout} on ${branch ? `branch ${branch}` : 'a detached HEAD'}, not on ${prefix}${trackId}.`,
    );
  }
  const target = await resolveTarget(ctx, checkout, config.target, false);
  return { trackId, checkout, branch, target, foundBy };
}

async function locateCi(
  ctx: Context,
  config: Config,
  id: string | undefined,
  checkout: string,
): Promise<Located> {
  const prefix = config.branchPrefix;
  const branch = await currentBranch(ctx, checkout);
  const target = await resolveTarget(ctx, checkout, config.target, true);
  if (id !== undefined) {
    const trackId = assertTrackId(id);
    if (!hasTrack(checkout, trackId))
      throw new UsageError(
        `Unknown track "${trackId}": no ${trackDocsPath(trackId)}/track.json in this checkout.`,
      );
    return { trackId, checkout, branch, target, foundBy: 'argument' };
  }
  const tried: string[] = [];
  const candidates: [string, string | undefined][] = [
    ...CI_BRANCH_VARIABLES.map((v): [string, string | undefined] => [v, ctx.env[v]]),
    ['the current branch', branch ?? undefined],
  ];
  for (const [source, value] of candidates) {
    if (value === undefined || value === '') {
      tried.push(`${source}: not set`);
      continue;
    }
    const trackId = value.startsWith(prefix) ? value.slice(prefix.length) : null;
    if (trackId === null) tried.push(`${source}=${value}: not a ${prefix}<id> branch`);
    else if (!TRACK_ID_PATTERN.test(trackId) || !hasTrack(checkout, trackId)) {
      tried.push(`${source}=${value}: no track "${trackId}" in ${trackDocsPath('')}`);
    } else return { trackId, checkout, branch, target, foundBy: `${source}=${value}` };
  }
  // A merge-queue run (GitHub merge_group) checks out a temporary branch: the track is named by
  // the trailers of the commits it adds to the target.
  const trailers = await gitOut(ctx, checkout, [
    'log',
    '--no-merges',
    `--format=%(trailers:key=${TRAILER_KEY},valueonly)`,
    `${target}..HEAD`,
  ]);
  const ids = [
    ...new Set(
      (trailers ?? '')
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  const known = ids.filter((t) => TRACK_ID_PATTERN.test(t) && hasTrack(checkout, t));
  if (known.length === 1 && known[0] !== undefined) {
    return {
      trackId: known[0],
      checkout,
      branch,
      target,
      foundBy: `${TRAILER_KEY} trailers of ${target}..HEAD`,
    };
  }
  tried.push(
    known.length > 1
      ? `${TRAILER_KEY} trailers of ${target}..HEAD: several tracks (${known.join(', ')})`
      : `${TRAILER_KEY} trailers of ${target}..HEAD: none naming a track`,
  );
  throw new UsageError(
    `--ci: no track matches this build's branch. Tried:\n${tried.map((t) => `  ${t}`).join('\n')}`,
    {
      hint: `Track branches are ${prefix}<id> with yardmaster/tracks/<id>/track.json committed; or pass the id: \`yardmaster validate <id> --ci\`.`,
    },
  );
}
