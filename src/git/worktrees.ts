// Git worktree primitives: where track worktrees live, what git knows about them, whether one
// is clean, and whether an operation (rebase, merge) was left half-way in it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { Repo } from './repo.js';
import type { Git } from './git.js';
import { gitDirOf } from './files.js';

/** `worktrees.dir` with `{repo}` filled, resolved against the main checkout. */
export function worktreesRoot(repo: Repo, config: Config): string {
  const base = repo.mainRoot ?? repo.root;
  return path.resolve(base, config.worktrees.dir.replaceAll('{repo}', repo.name));
}

export interface WorktreeInfo {
  path: string;
  head: string | null;
  /** Short branch name, or null when detached. */
  branch: string | null;
  prunable: boolean;
}

export async function listWorktrees(git: Git): Promise<WorktreeInfo[]> {
  const out = await git(['worktree', 'list', '--porcelain', '-z']);
  const list: WorktreeInfo[] = [];
  let cur: WorktreeInfo | null = null;
  for (const field of out.split('\0')) {
    if (field === '') {
      if (cur) list.push(cur);
      cur = null;
      continue;
    }
    const [key, ...rest] = field.split(' ');
    const value = rest.join(' ');
    if (key === 'worktree') cur = { path: value, head: null, branch: null, prunable: false };
    else if (cur && key === 'HEAD') cur.head = value;
    else if (cur && key === 'branch') cur.branch = value.replace(/^refs\/heads\//, '');
    else if (cur && key === 'prunable') cur.prunable = true;
  }
  if (cur) list.push(cur);
  return list;
}

/**
 * Uncommitted changes, staged or not, and untracked files that are not ignored. With
 * `untracked: 'normal'`, a directory holding only untracked files is one entry (`dir/`): git
 * does not walk into it, which is enough to tell clean from dirty and cheaper.
 */
export async function dirtyFiles(
  git: Git,
  cwd: string,
  untracked: 'all' | 'normal' = 'all',
): Promise<string[]> {
  const out = await git(['status', '--porcelain', '-z', `--untracked-files=${untracked}`], { cwd });
  const fields = out.split('\0');
  const paths: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f === '') continue;
    paths.push(f.slice(3));
    // A rename or copy is followed by its original path, which is not a change of its own.
    if ('RC'.includes(f[0]!) || 'RC'.includes(f[1]!)) i += 1;
  }
  return paths;
}

export type GitOperation = 'rebase' | 'merge' | 'cherry-pick' | 'revert' | 'bisect';

/** The operation left in progress in a worktree, if any. */
export async function operationInProgress(git: Git, cwd: string): Promise<GitOperation | null> {
  const gitDir =
    gitDirOf(cwd) ?? (await git(['rev-parse', '--path-format=absolute', '--git-dir'], { cwd }));
  const has = (name: string) => existsSync(path.join(gitDir, name));
  if (has('rebase-merge') || has('rebase-apply')) return 'rebase';
  if (has('MERGE_HEAD')) return 'merge';
  if (has('CHERRY_PICK_HEAD')) return 'cherry-pick';
  if (has('REVERT_HEAD')) return 'revert';
  if (has('BISECT_LOG')) return 'bisect';
  return null;
}

/** Abort an operation left half-way, so the worktree is usable again. */
export async function abortOperation(git: Git, cwd: string, op: GitOperation): Promise<void> {
  const args: Record<GitOperation, string[]> = {
    rebase: ['rebase', '--abort'],
    merge: ['merge', '--abort'],
    'cherry-pick': ['cherry-pick', '--abort'],
    revert: ['revert', '--abort'],
    bisect: ['bisect', 'reset'],
  };
  await git(args[op], { cwd });
}

export async function refExists(git: Git, ref: string): Promise<boolean> {
  return git.ok(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
}

export async function revParse(git: Git, rev: string, cwd?: string): Promise<string> {
  return git(['rev-parse', '--verify', `${rev}^{commit}`], cwd ? { cwd } : {});
}

/** Validates a branch name with git's own rules (never interpolated into a shell anyway). */
export async function isValidBranchName(git: Git, name: string): Promise<boolean> {
  return git.ok(['check-ref-format', '--branch', name]);
}
