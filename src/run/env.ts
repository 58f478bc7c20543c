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

export interface RunEnv {
  ctx: Context;
  repo: Repo;
  config: Config;
  store: StateStore;
  /** git in the main checkout (or the checkout yardmaster was started in). */
  git: Git;
  worktreesDir: string;
  logsDir: string;
  promptsDir: string;
  /** Identifies this process as a lease holder. */
  holder: { id: string; pid: number; host: string };
  /** Writes one progress line (plain mode) or feeds the live view. */
  report: (trackId: string | null, text: string) => void;
}

export async function createRunEnv(ctx: Context, report: RunEnv['report']): Promise<RunEnv> {
  const [repo, loaded, store] = await Promise.all([ctx.repo(), ctx.config(), ctx.state()]);
  return {
    ctx,
    repo,
    config: loaded.config,
    store,
    git: createGit(ctx.run, repo.root),
    worktreesDir: worktreesRoot(repo, loaded.config),
    logsDir: path.join(repo.stateDir, 'logs'),
    promptsDir: path.join(repo.stateDir, 'prompts'),
    holder: { id: `${os.hostname()}:${process.pid}:${Date.now()}`, pid: process.pid, host: os.hostname() },
    report,
  };
}

export function branchFor(config: Config, trackId: string): string {
  return `${config.branchPrefix}${trackId}`;
}
