// `ym review` end to end with the built CLI: a ready track's summary and diff (text with NO_COLOR
// and --json, exact files and counts), a merged track whose branch was deleted (what landed, from
// its merge record), an agent that changed yardmaster.json's checks and added a workflow (that
// part shown first, marked, and listed in --json), bad input (exit 2, nothing changed), and the
// pager in a real terminal.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import { isolatedEnv } from '../helpers/repo.js';
import { TmuxSession, shellQuote, tmuxAvailable } from '../helpers/tmux.js';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
let tmux: TmuxSession | undefined;
afterEach(() => {
  tmux?.kill();
  tmux = undefined;
  project?.cleanup();
  project = undefined;
});

type Op = Record<string, unknown>;
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0, 1, 2, 3,
]).toString('base64');

/** A project whose agent ("rev", test/fixtures/review-agent.mjs) applies `ops` per track and commits. */
async function reviewProject(
  ops: Record<string, Op[]>,
  config: Record<string, unknown> = {},
  tasks = ['Write it', 'Test it'],
) {
  const ids = Object.keys(ops);
  const p = await makeProject({
    tracks: [...ids, 'later'].map((id) => ({ id, phases: [{ title: 'Build', tasks }] })),
  });
  project = p;
  const opsFile = path.join(p.repo.root, 'ops.json');
  writeFileSync(opsFile, JSON.stringify(ops));
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    `${JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), agent: 'rev', agents: { rev: { command: [process.execPath, path.join(FIXTURES, 'review-agent.mjs'), opsFile], timeoutSec: 60 } }, ...config }, null, 2)}\n`,
  );
  p.repo.write('lib/old.js', 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n');
  p.repo.write('gone.txt', 'one\ntwo\nthree\n');
  p.repo.commit('configure the review agent; files to change');
  return p;
}

const SLUGIFY_OPS: Op[] = [
  { write: 'src/slugify.js', text: 'export const slugify = (s) =>\n  s.toLowerCase();\n' },
  { write: 'README.md', text: '# test repo\n\nSlugs.\n' },
  { rename: 'lib/old.js', to: 'lib/renamed.js' },
  { delete: 'gone.txt' },
  { bytes: 'logo.png', base64: PNG },
  { tick: 1 },
];

const json = <T = Record<string, unknown>>(stdout: string) => JSON.parse(stdout) as T;

describe('ym review', () => {
  it("shows a ready track's state, head, files with counts, checks, plan and the diff (NO_COLOR), and the same as --json", async () => {
    const p = await reviewProject({ slugify: SLUGIFY_OPS });
    expect((await p.ym(['implement', 'slugify', '--no-merge'])).code).toBe(0);
    const head = p.repo.git(['rev-parse', 'ym/slugify']).trim();
    const main = p.repo.git(['rev-parse', 'main']).trim();
    // The target moves on after the branch started: the diff is still from their merge-base.
    p.repo.write('later-on-main.txt', 'x\n');
    p.repo.commit('main moves on');
    const target = p.repo.git(['rev-parse', 'main']).trim();

    const r = await p.ym(['review', 'slugify']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).toContain(
      [
        'slugify  Track slugify',
        '  state    ready (attempt 1/3, agent rev)',
        `  branch   ym/slugify at ${head.slice(0, 12)}`,
        `  against  main at ${target.slice(0, 12)} (merge-base ${main.slice(0, 12)})`,
        '',
        'Files: 6 changed, +5 -4, 1 binary',
        '    M README.md                          +2 -0',
        '    D gone.txt                           +0 -3',
        '    R lib/old.js -> lib/renamed.js       +0 -0',
        '    A logo.png                           binary',
        '    A src/slugify.js                     +2 -0',
        '    M yardmaster/tracks/slugify/plan.md  +1 -1',
        '',
      ].join('\n'),
    );
    expect(r.stdout).not.toContain('changes what yardmaster runs');
    expect(r.stdout).toMatch(/^Checks: passed \(attempt, .*, on [0-9a-f]{12}\)$/m);
    expect(r.stdout).toMatch(/^ {2}fail {2}plan-complete {5}warn {2}1 of 2 tasks not done/m);
    expect(r.stdout).toContain(
      'Plan: 1/2 done, 1 pending (plan.md on the branch)\nUsage: none reported\n',
    );
    // The unified diff, in the files' order; nothing of what main gained later.
    const diffs = [...r.stdout.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map((m) => m[2]);
    expect(diffs).toEqual([
      'README.md',
      'gone.txt',
      'lib/renamed.js',
      'logo.png',
      'src/slugify.js',
      'yardmaster/tracks/slugify/plan.md',
    ]);
    expect(r.stdout).toContain(
      '+++ b/src/slugify.js\n@@ -0,0 +1,2 @@\n+export const slugify = (s) =>\n+  s.toLowerCase();\n',
    );
    expect(r.stdout).toContain('rename from lib/old.js\nrename to lib/renamed.js');
    expect(r.stdout).toContain('Binary files /dev/null and b/logo.png differ');
    expect(r.stdout).not.toContain('later-on-main.txt');

    const j = await p.ym(['review', 'slugify', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const doc = json<
      {
        track: Record<string, unknown>;
        files: unknown[];
        totals: unknown;
        commandBearing: unknown[];
        checks: {
          headSha: string;
          current: boolean;
          during: string;
          results: { name: string; status: string; level: string }[];
        };
        plan: unknown;
        usage: unknown;
      } & Record<string, unknown>
    >(j.stdout);
    expect(doc.track).toMatchObject({
      id: 'slugify',
      state: 'ready',
      attempt: 1,
      maxAttempts: 3,
      agent: 'rev',
    });
    expect(doc.range).toBe('merge-base');
    expect(doc.target).toEqual({ branch: 'main', sha: target });
    expect(doc.base).toEqual({ sha: main });
    expect(doc.head).toEqual({ sha: head, branch: 'ym/slugify', branchExists: true });
    expect(doc.landing).toBeNull();
    const hunk = (
      oldStart: number,
      oldLines: number,
      newStart: number,
      newLines: number,
      added: number,
      deleted: number,
    ) => ({ oldStart, oldLines, newStart, newLines, added, deleted });
    expect(doc.files).toEqual([
      {
        path: 'README.md',
        status: 'modified',
        added: 2,
        deleted: 0,
        binary: false,
        hunks: [hunk(1, 1, 1, 3, 2, 0)],
        commandBearing: false,
      },
      {
        path: 'gone.txt',
        status: 'deleted',
        added: 0,
        deleted: 3,
        binary: false,
        hunks: [hunk(1, 3, 0, 0, 0, 3)],
        commandBearing: false,
      },
      {
        path: 'lib/renamed.js',
        oldPath: 'lib/old.js',
        status: 'renamed',
        added: 0,
        deleted: 0,
        binary: false,
        hunks: [],
        commandBearing: false,
      },
      {
        path: 'logo.png',
        status: 'added',
        added: null,
        deleted: null,
        binary: true,
        hunks: [],
        commandBearing: false,
      },
      {
        path: 'src/slugify.js',
        status: 'added',
        added: 2,
        deleted: 0,
        binary: false,
        hunks: [hunk(0, 0, 1, 2, 2, 0)],
        commandBearing: false,
      },
      {
        path: 'yardmaster/tracks/slugify/plan.md',
        status: 'modified',
        added: 1,
        deleted: 1,
        binary: false,
        hunks: [expect.objectContaining({ added: 1, deleted: 1 })],
        commandBearing: false,
      },
    ]);
    expect(doc.totals).toEqual({ files: 6, added: 5, deleted: 4, binary: 1 });
    expect(doc.commandBearing).toEqual([]);
    expect(doc.checks).toMatchObject({ headSha: head, current: true, during: 'attempt', ok: true });
    expect(doc.checks.results.map((c) => [c.name, c.status, c.level])).toEqual([
      ['plan-complete', 'fail', 'warn'],
      ['conflict-markers', 'pass', 'fail'],
      ['scope', 'skip', 'warn'],
      ['up-to-date', 'pass', 'warn'],
      ['trailers', 'pass', 'warn'],
    ]);
    expect(doc.plan).toEqual({
      source: 'branch',
      tasks: { pending: 1, in_progress: 0, done: 1, skipped: 0, blocked: 0, total: 2 },
      current: { id: '1.2', text: 'Test it' },
      error: null,
    });
    expect(doc.usage).toBeNull();

    // Without NO_COLOR and without a terminal: still no colour.
    const plain = await p.ym(['review', 'slugify'], { NO_COLOR: undefined });
    expect(plain.stdout).toBe(r.stdout);
  });

  it('shows what a merged track landed, from its merge record, after its branch was deleted', async () => {
    const p = await reviewProject({
      // Two commits: what landed is the whole range, not its last commit.
      landed: [
        { write: 'src/landed.txt', text: 'a\nb\n' },
        { commit: 'landed: first' },
        { write: 'README.md', text: '# landed\n' },
        { tick: 2 },
      ],
    });
    const before = p.repo.git(['rev-parse', 'main']).trim();
    const r0 = await p.ym(['implement', 'landed']);
    expect(r0.code, r0.stderr).toBe(0);
    expect(p.repo.git(['branch', '--list', 'ym/landed']).trim()).toBe('');
    const merged = p.repo.git(['rev-parse', 'main']).trim();
    p.repo.write('README.md', '# changed on main since\n');
    p.repo.commit('main moves on');

    const j = await p.ym(['review', 'landed', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const doc = json<
      { files: { path: string; added: number; deleted: number }[] } & Record<string, unknown>
    >(j.stdout);
    expect(doc).toMatchObject({
      track: { id: 'landed', state: 'merged' },
      range: 'landed',
      base: { sha: before },
      head: { sha: merged, branch: 'ym/landed', branchExists: false },
      landing: { mergedSha: merged, targetBefore: before, strategy: 'rebase' },
      checks: { during: 'merge', headSha: merged, current: true },
      plan: { source: 'branch', tasks: { done: 2, total: 2 } },
    });
    expect(doc.files.map((f) => [f.path, f.added, f.deleted])).toEqual([
      ['README.md', 1, 1],
      ['src/landed.txt', 2, 0],
      ['yardmaster/tracks/landed/plan.md', 2, 2],
    ]);

    const r = await p.ym(['review', 'landed']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `  landed   on main: ${before.slice(0, 12)}..${merged.slice(0, 12)} (rebase); branch ym/landed deleted\n`,
    );
    expect(r.stdout).toContain('+++ b/README.md\n@@ -1 +1 @@\n-# test repo\n+# landed\n');
    expect(r.stdout).not.toContain('changed on main since');
    expect(r.stdout).toContain('Plan: 2/2 done (plan.md as landed)');
  });

  it("shows first, marked, an agent's change to yardmaster.json's checks and a new workflow; --json lists them", async () => {
    const checks = [{ name: 'test', run: [process.execPath, '-e', '0'] }];
    const committed = { target: 'main', retry: { backoffMs: 10, maxBackoffMs: 50 }, checks };
    const p = await reviewProject({ sneaky: [] }, { checks });
    const config = json(p.repo.read('yardmaster.json'));
    expect(config).toMatchObject(committed);
    // The agent's own yardmaster.json: a changed check command, and a change that runs nothing.
    const changed = {
      ...config,
      concurrency: 7,
      checks: [{ name: 'test', run: [process.execPath, '-e', 'process.exit(0)'] }],
    };
    const ops = {
      sneaky: [
        { write: 'src/a.txt', text: 'a\n' },
        { write: 'yardmaster.json', text: `${JSON.stringify(changed, null, 2)}\n` },
        { write: '.github/workflows/x.yml', text: 'on: push\njobs: {}\n' },
      ],
    };
    writeFileSync(path.join(p.repo.root, 'ops.json'), JSON.stringify(ops));
    const run = await p.ym(['implement', 'sneaky', '--no-merge']);
    expect(run.code, run.stderr).toBe(0);

    const r = await p.ym(['review', 'sneaky']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      [
        '⚠ changes what yardmaster runs:',
        '  .github/workflows/x.yml: GitHub Actions workflow .github/workflows/x.yml',
        '  yardmaster.json: checks[0].run',
        '',
        'Files: 3 changed, +6 -2',
      ].join('\n'),
    );
    expect(r.stdout).toMatch(/^ {2}⚠ A \.github\/workflows\/x\.yml/m);
    expect(r.stdout).toMatch(/^ {2}⚠ M yardmaster\.json/m);
    expect(r.stdout).toMatch(/^ {4}A src\/a\.txt/m);
    // The diff: the command-bearing files first, each under its mark, then the rest.
    const diff = r.stdout.slice(r.stdout.indexOf('\n⚠ changes what yardmaster runs: GitHub'));
    const order = [
      ...diff.matchAll(/^(⚠ changes what yardmaster runs: .*|diff --git a\/\S+ b\/\S+)$/gm),
    ].map((m) => m[1]);
    expect(order).toEqual([
      '⚠ changes what yardmaster runs: GitHub Actions workflow .github/workflows/x.yml',
      'diff --git a/.github/workflows/x.yml b/.github/workflows/x.yml',
      '⚠ changes what yardmaster runs: checks[0].run',
      'diff --git a/yardmaster.json b/yardmaster.json',
      'diff --git a/src/a.txt b/src/a.txt',
    ]);

    const j = await p.ym(['review', 'sneaky', '--json']);
    const doc = json<{
      commandBearing: unknown[];
      files: { path: string; commandBearing: boolean }[];
    }>(j.stdout);
    expect(doc.commandBearing).toEqual([
      {
        path: '.github/workflows/x.yml',
        rule: 'github-workflow',
        keys: [],
        summary: 'GitHub Actions workflow .github/workflows/x.yml',
      },
      {
        path: 'yardmaster.json',
        rule: 'config',
        keys: ['checks[0].run'],
        summary: 'checks[0].run',
      },
    ]);
    expect(doc.files.filter((f) => f.commandBearing).map((f) => f.path)).toEqual([
      '.github/workflows/x.yml',
      'yardmaster.json',
    ]);
  });

  it('refuses an unknown track, a planned one and a bad id with exit 2, changing nothing', async () => {
    const p = await reviewProject({ started: [{ write: 'x.txt', text: 'x\n' }] });
    expect((await p.ym(['implement', 'started', '--no-merge'])).code).toBe(0);
    const db = path.join(p.repo.dir, '.git', 'yardmaster', 'state.db');
    const fingerprint = () => ({
      status: p.repo.git(['status', '--porcelain', '--untracked-files=all']),
      refs: p.repo.git(['for-each-ref']),
      db: existsSync(db) ? createHash('sha256').update(readFileSync(db)).digest('hex') : null,
    });
    const before = fingerprint();
    const cases: [string[], RegExp][] = [
      [
        ['review', 'nope'],
        /^error: Unknown track "nope"\.\n {2}Run `ym status` to list the tracks\.\n$/,
      ],
      [
        ['review', 'later'],
        /^error: Track later has no branch yet \(it is planned\): there is nothing to review\.\n {2}Run `ym implement later` first/,
      ],
      [['review', 'later', '--json'], /^error: Track later has no branch yet/],
      [
        ['review', 'Bad/../id'],
        /^error: Invalid track id "Bad\/\.\.\/id": it has uppercase letters\./,
      ],
      [['review'], /missing required argument 'id'/],
    ];
    for (const [args, message] of cases) {
      const r = await p.ym(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fingerprint()).toEqual(before);
  });

  it.skipIf(!tmuxAvailable())(
    'pages through $PAGER on a terminal, with colour; not with --json',
    async () => {
      const p = await reviewProject({ paged: [{ write: 'src/p.txt', text: 'paged\n' }] });
      expect((await p.ym(['implement', 'paged', '--no-merge'])).code).toBe(0);
      const got = path.join(p.repo.root, 'pager-input.txt');
      const runs = path.join(p.repo.root, 'pager-runs.txt');
      tmux = new TmuxSession();
      const ym = (args: string[]) =>
        ['node', CLI_BIN, '--cwd', p.repo.dir, ...args].map(shellQuote).join(' ');
      tmux.start({
        command: `${ym(['review', 'paged'])}; echo "EXIT:$?"; ${ym(['review', 'paged', '--json'])} >/dev/null; echo "JSON-EXIT:$?"; ${ym(['review', 'paged', '--json'])}; sleep 60`,
        env: isolatedEnv(p.repo.home, {
          CI: undefined,
          NO_COLOR: undefined,
          FORCE_COLOR: undefined,
          TERM: 'xterm-256color',
          PAGER: `cat > ${shellQuote(got)}; echo run >> ${shellQuote(runs)}`,
        }),
      });
      await tmux.waitFor(/"current": false\s*\}\s*\}/, 20_000, 'the JSON document on the terminal');
      expect(readFileSync(runs, 'utf8')).toBe('run\n'); // once: the text review, never --json
      const paged = readFileSync(got, 'utf8');
      expect(paged).toContain('\u001b[32m+paged\u001b[39m');
      expect(paged).toContain('\u001b[1mdiff --git a/src/p.txt b/src/p.txt\u001b[22m');
      expect(paged.startsWith('\u001b[1mpaged\u001b[22m  Track paged\n  state    ready')).toBe(
        true,
      );
    },
  );
});
