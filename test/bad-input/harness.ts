// The bad-input corpus's machinery: template repositories built once with the CLI, a fresh copy
// per case, a snapshot of everything a command could change (git status, refs, files under the
// sandbox with their contents, every row of state.db), and the runner that checks a case.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { isolatedEnv, makeRepo } from '../helpers/repo.js';
import { openStateStore } from '../../src/state/open.js';

/** Starting points of a case. Each lives at `<sandbox>/repo` (except `plain`, an empty dir). */
export type Base =
  | 'project' // set up, config with the scripted agent, tracks alpha and beta (beta after alpha), state.db
  | 'files-only' // the same files and commits, but no state.db (nothing has run yet)
  | 'no-config' // a git repository with one commit and no yardmaster.json
  | 'plain' // a directory that is not a repository
  | 'bare'; // a bare repository

export interface Sandbox {
  root: string;
  repo: string;
  write(rel: string, text: string): void;
  read(rel: string): string;
  git(args: string[]): string;
  /** Edits a JSON file in the repository in place. */
  editJson(rel: string, edit: (value: Record<string, unknown>) => void): void;
}

export interface BadInputCase {
  name: string;
  base?: Base;
  /** Prepares the sandbox before the snapshot (files, branches): the bad input itself. */
  setup?: (s: Sandbox) => void;
  /** Arguments; `{repo}` and `{root}` are replaced. The CLI runs with cwd = the repository. */
  argv: string[];
  code: 1 | 2;
  /** Must match the message; it should name the offending value and where it came from. */
  message: RegExp;
  /** Where the message is (default stderr, as one `error:` line plus details and hint). */
  stream?: 'stderr' | 'stdout';
  /** Extra environment; `{repo}` and `{root}` are replaced as in `argv`. */
  env?: Record<string, string | undefined>;
  /** Text that must appear in no output (e.g. a secret the bad input holds). */
  hidden?: string;
}

export const PROJECT_CONFIG = {
  target: 'main',
  agent: 'scripted',
  retry: { backoffMs: 10, maxBackoffMs: 50 },
};

const templates = new Map<Base, string>();
let templatesRoot: string | undefined;

async function ym(repo: string, args: string[]): Promise<void> {
  const r = await runCli(['--cwd', repo, ...args]);
  if (r.code !== 0)
    throw new Error(`template: ym ${args.join(' ')} failed (${String(r.code)}):\n${r.stderr}`);
}

/** Builds the templates once per test file; call from beforeAll. */
export async function buildTemplates(): Promise<void> {
  templatesRoot = realpathSync(mkdtempSync(path.join(tmpdir(), 'ym-bad-input-')));
  const project = makeRepo();
  await ym(project.dir, ['setup', '--yes']);
  project.write('yardmaster.json', `${JSON.stringify(PROJECT_CONFIG, null, 2)}\n`);
  await ym(project.dir, ['new-track', 'Alpha work', '--id', 'alpha', '--yes']);
  await ym(project.dir, [
    'new-track',
    'Beta work',
    '--id',
    'beta',
    '--depends-on',
    'alpha',
    '--yes',
  ]);
  project.commit('set up yardmaster with two tracks');
  const save = (base: Base, from: string) => {
    const dest = path.join(templatesRoot!, base);
    cpSync(from, dest, { recursive: true });
    templates.set(base, dest);
  };
  save('project', project.dir);
  save('files-only', project.dir);
  rmSync(path.join(templates.get('files-only')!, '.git', 'yardmaster'), {
    recursive: true,
    force: true,
  });
  project.cleanup();
  const plain = makeRepo();
  save('no-config', plain.dir);
  plain.cleanup();
  const bare = makeRepo({ bare: true });
  save('bare', bare.dir);
  bare.cleanup();
}

export function removeTemplates(): void {
  if (templatesRoot) rmSync(templatesRoot, { recursive: true, force: true });
}

export function makeSandbox(base: Base): Sandbox & { cleanup(): void } {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ym-case-')));
  const repo = path.join(root, 'repo');
  if (base === 'plain') mkdirSync(repo);
  else cpSync(templates.get(base)!, repo, { recursive: true });
  const env = isolatedEnv(path.join(root, 'home'));
  const abs = (rel: string) => path.join(repo, rel);
  const s = {
    root,
    repo,
    write(rel: string, text: string) {
      mkdirSync(path.dirname(abs(rel)), { recursive: true });
      writeFileSync(abs(rel), text);
    },
    read: (rel: string) => readFileSync(abs(rel), 'utf8'),
    git: (args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    editJson(rel: string, edit: (value: Record<string, unknown>) => void) {
      const value = JSON.parse(s.read(rel)) as Record<string, unknown>;
      edit(value);
      s.write(rel, `${JSON.stringify(value, null, 2)}\n`);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return s;
}

/** Derived caches and SQLite's transient files: rebuilt at will, compared through the rows instead. */
const VOLATILE = [/\/\.git\/yardmaster\/cache(\/|$)/, /\.db-(wal|shm|journal)$/];

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (VOLATILE.some((re) => re.test(p))) continue;
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      // Contents of the working files and of yardmaster's own files; names only for git's
      // internals (the index is rewritten by a mere `git status`).
      else if (p.includes('/.git/') && !p.includes('/.git/yardmaster/')) out.push(p);
      else
        out.push(
          `${p} ${p.endsWith('state.db') ? '(rows below)' : createHash('sha1').update(readFileSync(p)).digest('hex')}`,
        );
    }
  };
  walk(root);
  return out;
}

function dumpDatabase(repo: string): unknown {
  const stateDir = path.join(repo, '.git', 'yardmaster');
  const file = path.join(stateDir, 'state.db');
  if (!existsSync(file)) return 'absent';
  let store;
  try {
    store = openStateStore(stateDir, undefined, { readonly: true });
  } catch {
    return `not a readable state database, sha1 ${createHash('sha1').update(readFileSync(file)).digest('hex')}`;
  }
  try {
    const tables = store.db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all();
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        store.db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all(),
      ]),
    );
  } finally {
    store.close();
  }
}

function gitFacts(repo: string): string {
  if (!existsSync(repo)) return 'no directory';
  const env = isolatedEnv(path.join(path.dirname(repo), 'home'));
  const run = (args: string[]) => {
    try {
      return execFileSync('git', args, {
        cwd: repo,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      return `(${args[0]} failed: ${String((err as { status?: number }).status)})`;
    }
  };
  return [
    run(['status', '--porcelain=v1', '--branch', '--untracked-files=all', '--ignored']),
    run(['for-each-ref', '--format=%(refname) %(objectname)']),
  ].join('\n--\n');
}

export interface Snapshot {
  git: string;
  files: string[];
  db: unknown;
}

export function snapshot(s: Sandbox): Snapshot {
  return { git: gitFacts(s.repo), files: listFiles(s.root), db: dumpDatabase(s.repo) };
}

export function expandArgs(argv: readonly string[], s: Sandbox): string[] {
  return argv.map((a) => a.replaceAll('{repo}', s.repo).replaceAll('{root}', s.root));
}

/** Runs one case (in `sandbox`, else a fresh one) and asserts the contract; returns the result. */
export async function runCase(c: BadInputCase, sandbox?: Sandbox): Promise<CliResult> {
  const s = sandbox ?? makeSandbox(c.base ?? 'project');
  try {
    c.setup?.(s);
    const before = snapshot(s);
    const env = Object.fromEntries(
      Object.entries(c.env ?? {}).map(([k, v]) => [k, v === undefined ? v : expandArgs([v], s)[0]]),
    );
    const r = await runCli(expandArgs(c.argv, s), { cwd: s.repo, env });
    const output = `exit ${String(r.code)}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    expect(r.code, output).toBe(c.code);
    expect(r.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(r.stderr, 'no internal error').not.toMatch(/unexpected failure/);
    const text = c.stream === 'stdout' ? r.stdout : r.stderr;
    expect(text, output).toMatch(c.message);
    if ((c.stream ?? 'stderr') === 'stderr') {
      expect(
        r.stderr.split('\n').filter((l) => l.startsWith('error:')),
        `one message\n${output}`,
      ).toHaveLength(1);
    }
    if (c.hidden !== undefined)
      expect(r.stdout + r.stderr, 'the secret is not echoed').not.toContain(c.hidden);
    expect(snapshot(s), 'the repository and state.db are unchanged').toEqual(before);
    return r;
  } finally {
    if (!sandbox) rmSync(s.root, { recursive: true, force: true });
  }
}
