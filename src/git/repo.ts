// Finds the repository a command works on: the checkout's root, git's common dir (shared by
// the main checkout and every linked worktree, where state.db lives) and the main checkout.
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { ProcessRunner } from '../proc/run.js';

export interface Repo {
  /** Root of the checkout the command runs in (the main checkout or a linked worktree). */
  root: string;
  /** git's common dir: `.git` of the main checkout, shared by all worktrees. */
  commonDir: string;
  /** This checkout's own git dir (differs from commonDir inside a linked worktree). */
  gitDir: string;
  /** Root of the main checkout (the user's own), or null when it cannot be derived. */
  mainRoot: string | null;
  isLinkedWorktree: boolean;
  /** Name of the repository directory, used in `{repo}` placeholders. */
  name: string;
  /** `<common dir>/yardmaster`: state.db and logs. */
  stateDir: string;
}

export async function discoverRepo(cwd: string, run: ProcessRunner): Promise<Repo> {
  if (!existsSync(cwd)) {
    throw new UsageError(`Directory not found: ${cwd}`, {
      hint: 'Pass an existing directory with --cwd DIR.',
    });
  }
  if (!statSync(cwd).isDirectory()) {
    throw new UsageError(`Not a directory: ${cwd}`, {
      hint: 'Pass the repository directory with --cwd DIR, not a file in it.',
    });
  }
  const r = await run(
    'git',
    [
      'rev-parse',
      '--path-format=absolute',
      '--is-bare-repository',
      '--git-common-dir',
      '--git-dir',
      '--show-toplevel',
    ],
    { cwd, reject: false },
  );
  const [bare, commonDir, gitDir, root] = r.stdout.split('\n');
  if (!bare || !commonDir || !gitDir) {
    throw new UsageError(`Not a git repository: ${cwd}`, {
      hint: 'Run yardmaster inside a git repository (create one with `git init`), or pass --cwd DIR.',
    });
  }
  if (bare === 'true') {
    throw new UsageError(`${cwd} is a bare repository; yardmaster needs a working tree.`, {
      hint: 'Clone it (`git clone <bare> <dir>`) and run yardmaster in the clone.',
    });
  }
  if (r.exitCode !== 0 || !root) {
    throw new UsageError(`${cwd} is inside the .git directory, not in a working tree.`, {
      hint: 'Run yardmaster from the repository’s working tree.',
    });
  }
  const isLinkedWorktree = path.resolve(commonDir) !== path.resolve(gitDir);
  const mainRoot = path.basename(commonDir) === '.git' ? path.dirname(commonDir) : null;
  return {
    root,
    commonDir,
    gitDir,
    mainRoot,
    isLinkedWorktree,
    name: path.basename(mainRoot ?? root),
    stateDir: path.join(commonDir, 'yardmaster'),
  };
}
