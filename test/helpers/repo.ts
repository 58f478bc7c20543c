// Temporary git repositories for tests: real git, local config only (user, no signing, no
// auto-gc), an empty HOME so the user's global config is never read or touched. Call cleanup()
// after each test (e.g. in afterEach) to remove everything, worktrees next to the repo included.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** process.env without any GIT_* variable, with HOME (and XDG config) pointing at `home`. */
export function isolatedEnv(
  home: string,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && !key.startsWith('YM_') && value !== undefined) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    // Never let git discovery climb out of the temporary directories into a real repository.
    GIT_CEILING_DIRECTORIES: realpathSync(tmpdir()),
    GIT_TERMINAL_PROMPT: '0',
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface TempDir {
  /** The directory to use (empty, not a git repository). */
  dir: string;
  /** Parent of `dir` holding everything the test made; removed by cleanup(). */
  root: string;
  /** An empty HOME next to `dir`. */
  home: string;
  env: NodeJS.ProcessEnv;
  write(rel: string, text: string): string;
  read(rel: string): string;
  exists(rel: string): boolean;
  cleanup(): void;
}

export interface TestRepo extends TempDir {
  /** Runs git in the repository (or in `cwd`) and returns its stdout; throws on a non-zero exit. */
  git(args: readonly string[], cwd?: string): string;
  /** Stages everything and commits; returns the new HEAD sha. */
  commit(message: string): string;
}

export interface MakeRepoOptions {
  /** Initial branch name (default "main"). */
  branch?: string;
  /** Make an initial commit with a README (default true); false leaves the branch unborn. */
  initialCommit?: boolean;
  /** Files to write (and include in the initial commit), by relative path. */
  files?: Record<string, string>;
  /** `git init --bare` instead of a working tree (no commit, no files). */
  bare?: boolean;
}

/** An empty temporary directory (not a repository), with an isolated HOME. */
export function makeTempDir(name = 'work'): TempDir {
  // realpath: on macOS /tmp is a symlink, and git reports resolved paths.
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ym-test-')));
  const dir = path.join(root, name);
  const home = path.join(root, 'home');
  mkdirSync(dir);
  mkdirSync(home);
  const abs = (rel: string) => path.join(dir, rel);
  return {
    dir,
    root,
    home,
    env: isolatedEnv(home),
    write(rel, text) {
      mkdirSync(path.dirname(abs(rel)), { recursive: true });
      writeFileSync(abs(rel), text);
      return abs(rel);
    },
    read: (rel) => readFileSync(abs(rel), 'utf8'),
    exists: (rel) => existsSync(abs(rel)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A temporary git repository at `<tmp>/repo` with local config only. */
export function makeRepo(opts: MakeRepoOptions = {}): TestRepo {
  const tmp = makeTempDir('repo');
  const git = (args: readonly string[], cwd = tmp.dir): string =>
    execFileSync('git', [...args], {
      cwd,
      env: tmp.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  try {
    git(['init', '-q', ...(opts.bare ? ['--bare'] : []), '-b', opts.branch ?? 'main']);
    git(['config', 'user.name', 'Yardmaster Test']);
    git(['config', 'user.email', 'test@yardmaster.invalid']);
    git(['config', 'commit.gpgSign', 'false']);
    git(['config', 'tag.gpgSign', 'false']);
    git(['config', 'gc.auto', '0']);
    git(['config', 'core.autocrlf', 'false']);
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
  const repo: TestRepo = {
    ...tmp,
    git,
    commit(message) {
      git(['add', '-A']);
      git(['commit', '-q', '--allow-empty', '-m', message]);
      return git(['rev-parse', 'HEAD']).trim();
    },
  };
  if (!opts.bare) {
    for (const [rel, text] of Object.entries(opts.files ?? {})) repo.write(rel, text);
    if (opts.initialCommit ?? true) {
      if (!repo.exists('README.md')) repo.write('README.md', '# test repo\n');
      repo.commit('initial commit');
    }
  }
  return repo;
}
