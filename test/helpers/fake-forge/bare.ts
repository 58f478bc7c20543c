// The fake forge's storage: a bare git repository that the code under test pushes to over
// file://. The fake reads branch heads from it with git and really merges into it (merge commit,
// squash, rebase or fast-forward), in a throw-away worktree of the bare repository.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type MergeMethod = 'merge' | 'squash' | 'rebase' | 'ff';

export class MergeConflictError extends Error {}

/** Errors of a git that never started: safe to start it again. */
const SPAWN_FAILURES = new Set(['EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE']);
const SPAWN_ATTEMPTS = 5;

export class BareRepo {
  constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A new bare repository at `dir` with `branch` as its default branch. */
  static init(dir: string, env: NodeJS.ProcessEnv, branch = 'main'): BareRepo {
    const bare = new BareRepo(dir, env);
    execFileSync('git', ['init', '-q', '--bare', '-b', branch, dir], { env });
    for (const [k, v] of [
      ['user.name', 'Fake Forge'],
      ['user.email', 'forge@yardmaster.invalid'],
      ['commit.gpgSign', 'false'],
      ['gc.auto', '0'],
    ]) {
      bare.git(['config', k!, v!]);
    }
    return bare;
  }

  get url(): string {
    return `file://${this.dir}`;
  }

  /**
   * Runs git and returns its stdout. A git that could not even start (EAGAIN, ENOMEM: a loaded
   * machine) is started again, a few times: it did nothing, and the fake must not turn its own
   * trouble into an answer about the request.
   */
  git(args: readonly string[], cwd = this.dir): string {
    for (let attempt = 1; ; attempt++) {
      try {
        return execFileSync('git', [...args], {
          cwd,
          env: this.env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }).trim();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (attempt >= SPAWN_ATTEMPTS || typeof code !== 'string' || !SPAWN_FAILURES.has(code))
          throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50 * attempt);
      }
    }
  }

  /**
   * Asks git a yes/no question: exit 0 is yes, exit 1 is git's no (not an ancestor, no such ref,
   * a conflict). Anything else is a failure of the fake and throws: it used to be read as "no",
   * which made a git that failed under load look like "head branch is not up to date" (405, so
   * target-moved) to the provider under test.
   */
  private answers(args: readonly string[], cwd = this.dir): boolean {
    try {
      this.git(args, cwd);
      return true;
    } catch (err) {
      if ((err as { status?: unknown }).status === 1) return false;
      throw err;
    }
  }

  head(branch: string): string | null {
    return this.answers(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
      ? this.git(['rev-parse', `refs/heads/${branch}`])
      : null;
  }

  deleteBranch(branch: string): boolean {
    if (!this.head(branch)) return false;
    this.git(['update-ref', '-d', `refs/heads/${branch}`]);
    return true;
  }

  isAncestor(a: string, b: string): boolean {
    return this.answers(['merge-base', '--is-ancestor', a, b]);
  }

  /** Someone else pushes a commit to `branch` (e.g. the target moving under the queue). */
  commitOnBranch(branch: string, file: string, content: string, message: string): string {
    const base = this.head(branch);
    if (!base) throw new Error(`no branch ${branch} in the fake forge`);
    return this.inWorktree(base, (wt) => {
      writeFileSync(path.join(wt, file), content);
      this.git(['add', '-A'], wt);
      this.git(['commit', '-q', '-m', message], wt);
      const sha = this.git(['rev-parse', 'HEAD'], wt);
      this.git(['update-ref', `refs/heads/${branch}`, sha, base]);
      return sha;
    });
  }

  /**
   * Merges `head` into the branch `target` with a method of the forge and moves the target there
   * (compare-and-swap against its old head). Returns the new target SHA; throws MergeConflictError.
   */
  merge(target: string, head: string, method: MergeMethod, title: string, message: string): string {
    const base = this.head(target);
    if (!base) throw new Error(`no branch ${target} in the fake forge`);
    let sha: string;
    if (method === 'ff') {
      if (!this.isAncestor(base, head)) throw new MergeConflictError('not a fast-forward');
      sha = head;
    } else {
      sha = this.inWorktree(method === 'rebase' ? head : base, (wt) => {
        const run = (args: string[]) => {
          if (!this.answers(args, wt)) throw new MergeConflictError(`git ${args[0]} failed`);
        };
        if (method === 'merge')
          run(['merge', '-q', '--no-ff', '-m', title, '-m', message || 'merged', head]);
        else if (method === 'squash') {
          run(['merge', '-q', '--squash', head]);
          run(['commit', '-q', '--allow-empty', '-m', title, ...(message ? ['-m', message] : [])]);
        } else run(['rebase', '-q', '--force-rebase', base]);
        return this.git(['rev-parse', 'HEAD'], wt);
      });
    }
    this.git(['update-ref', `refs/heads/${target}`, sha, base]);
    return sha;
  }

  /** GitLab's squash with a merge commit: a squash commit on the base, then a merge commit. */
  squashThenMerge(
    target: string,
    head: string,
    title: string,
    squashMessage: string,
  ): { squash: string; merge: string } {
    const base = this.head(target)!;
    if (!this.isAncestor(base, head))
      throw new MergeConflictError('source branch is behind the target');
    const tree = this.git(['rev-parse', `${head}^{tree}`]);
    const squash = this.git(['commit-tree', tree, '-p', base, '-m', squashMessage || title]);
    const merge = this.git([
      'commit-tree',
      tree,
      '-p',
      base,
      '-p',
      squash,
      '-m',
      `Merge branch into ${target}`,
      '-m',
      title,
    ]);
    this.git(['update-ref', `refs/heads/${target}`, merge, base]);
    return { squash, merge };
  }

  private inWorktree<T>(at: string, fn: (dir: string) => T): T {
    const dir = mkdtempSync(path.join(tmpdir(), 'ym-forge-wt-'));
    rmSync(dir, { recursive: true });
    this.git(['worktree', 'add', '-q', '--detach', dir, at]);
    try {
      return fn(dir);
    } finally {
      try {
        this.git(['worktree', 'remove', '--force', dir]);
      } catch {
        // Best effort: the directory goes below, and `git worktree prune` forgets it.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
