// What every part of a run needs, resolved once per `implement`: the context, repository,
// config, state store, git bound to the main checkout, and where logs and prompts go.
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import type { Repo } from '../git/repo.js';
import { createGit, type Git } from '../git/git.js';
import type { StateStore } from '../state/store.js';
import { worktreesRoot } from '../git/worktrees.js';
import { UsageError } from '../core/errors.js';
import { Notifier, type Notice } from '../notify/notifier.js';

export interface RunEnv {
  readonly ctx: Context;
  readonly repo: Repo;
  readonly config: Config;
  readonly store: StateStore;
  /** git in the main checkout (or the checkout yardmaster was started in). */
  readonly git: Git;
  readonly worktreesDir: string;
  readonly logsDir: string;
  readonly promptsDir: string;
  /** Identifies this process as a lease holder. */
  readonly holder: { id: string; pid: number; host: string };
  /** Writes one progress line (plain mode) or feeds the live view. */
  readonly report: (trackId: string | null, text: string) => void;
  /** Tells `notify.command` about an event, when the config asks for it; never waits (src/notify/). */
  readonly notify?: (notice: Notice) => void;
}

/** git's variables that point every git command at one repository, whatever its directory. */
const REDIRECTING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR'] as const;

/** `config`: the loaded config with the command's overrides (e.g. --concurrency), when it has any. */
export async function createRunEnv(
  ctx: Context,
  report: RunEnv['report'],
  opts: { config?: Config } = {},
): Promise<RunEnv> {
  // Yardmaster runs git in each track's worktree; with these set, git (and every agent) would
  // act on the repository they name instead: checkouts, commits and resets in the wrong place.
  const redirecting = REDIRECTING.filter((name) => ctx.env[name]);
  if (redirecting.length > 0) {
    throw new UsageError(
      `${redirecting.map((name) => `${name}=${ctx.env[name]}`).join(', ')} ${redirecting.length === 1 ? 'is' : 'are'} set: git would act on that repository instead of each track's worktree.`,
      {
        hint: `Unset ${redirecting.join(' and ')} (git sets them inside its hooks), then run yardmaster again.`,
      },
    );
  }
  const [repo, loaded, store] = await Promise.all([ctx.repo(), ctx.config(), ctx.state()]);
  const config = opts.config ?? loaded.config;
  const notifier = new Notifier({
    run: ctx.run,
    root: repo.root,
    config,
    store,
    clock: ctx.clock,
    warn: report,
  });
  // Registered after ctx.state(): cleanups run in reverse, so this runs before state.db closes.
  ctx.defer(() => notifier.close());
  return {
    ctx,
    repo,
    config,
    store,
    git: createGit(ctx.run, repo.root),
    worktreesDir: worktreesRoot(repo, loaded.config),
    logsDir: path.join(repo.stateDir, 'logs'),
    promptsDir: path.join(repo.stateDir, 'prompts'),
    holder: {
      id: `${os.hostname()}:${process.pid}:${ctx.clock.now().getTime()}`,
      pid: process.pid,
      host: os.hostname(),
    },
    report,
    notify: (notice) => notifier.emit(notice),
  };
}

export function branchFor(config: Config, trackId: string): string {
  return `${config.branchPrefix}${trackId}`;
}
