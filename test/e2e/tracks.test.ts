// new-track, plan --from, status and config through the built CLI, in temporary repositories.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo, makeTempDir, type TestRepo } from '../helpers/repo.js';
import { CLI_BIN, runCli } from '../helpers/cli.js';

let repo: TestRepo;
const ym = (args: string[], opts: Parameters<typeof runCli>[1] = {}) =>
  runCli(['--cwd', repo.dir, ...args], { env: repo.env, ...opts });

/** Everything yardmaster may have written: track folders and the database's track rows. */
async function snapshotState() {
  const tracksDir = path.join(repo.dir, 'yardmaster', 'tracks');
  const folders = existsSync(tracksDir) ? readdirSync(tracksDir).sort() : [];
  const status = await ym(['status', '--json']);
  const ids = (JSON.parse(status.stdout) as { tracks: { id: string }[] }).tracks.map((t) => t.id);
  return { folders, ids };
}

beforeEach(async () => {
  repo = makeRepo();
  const r = await ym(['setup', '--yes']);
  expect(r.code, r.stderr).toBe(0);
});
afterEach(() => repo.cleanup());

describe('new-track', () => {
  it('creates a track with spec.md, plan.md and track.json, and status shows it', async () => {
    const r = await ym(['new-track', 'Add slugify helper', '--type', 'feature']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('add-slugify-helper');
    const dir = 'yardmaster/tracks/add-slugify-helper';
    const meta = JSON.parse(repo.read(`${dir}/track.json`));
    expect(meta).toMatchObject({
      id: 'add-slugify-helper',
      title: 'Add slugify helper',
      type: 'feature',
      dependsOn: [],
    });
    expect(repo.read(`${dir}/spec.md`)).toContain('Add slugify helper');
    expect(repo.read(`${dir}/plan.md`)).toMatch(/- \[ \] 1\.1 /);
    const status = JSON.parse((await ym(['status', '--json'])).stdout);
    expect(status.tracks).toHaveLength(1);
    expect(status.tracks[0]).toMatchObject({
      id: 'add-slugify-helper',
      state: 'planned',
      planSource: 'checkout',
    });
    expect(status.tracks[0].tasks.total).toBeGreaterThan(0);
    expect(status.tracks[0].tasks.pending).toBe(status.tracks[0].tasks.total);
    expect(status.counts).toEqual({ planned: 1 });
  });

  it('derives unique ids, takes --id, --depends-on and --spec-file', async () => {
    expect((await ym(['new-track', 'Same title'])).code).toBe(0);
    const second = await ym(['new-track', 'Same title', '--json']);
    expect(JSON.parse(second.stdout).track.id).toBe('same-title-2');
    repo.write('spec-in.md', '## Overview\nUse the custom spec.\n');
    const third = await ym([
      'new-track',
      'Third',
      '--id',
      'third',
      '--depends-on',
      'same-title',
      '--depends-on',
      'same-title-2',
      '--spec-file',
      'spec-in.md',
      '--type',
      'bug',
    ]);
    expect(third.code, third.stderr).toBe(0);
    expect(JSON.parse(repo.read('yardmaster/tracks/third/track.json'))).toMatchObject({
      type: 'bug',
      dependsOn: ['same-title', 'same-title-2'],
    });
    expect(repo.read('yardmaster/tracks/third/spec.md')).toContain('Use the custom spec.');
    const status = JSON.parse((await ym(['status', '--json'])).stdout);
    const t = status.tracks.find((x: { id: string }) => x.id === 'third');
    expect(t.dependsOn).toEqual(['same-title', 'same-title-2']);
    expect(t.waitingOn).toEqual(['same-title', 'same-title-2']);
  });

  it.each([
    [['--id', 'has space'], /whitespace/],
    [['--id', '..'], /path characters/],
    [['--id', 'a/b'], /path characters/],
    [['--id', 'UPPER'], /uppercase/],
    [['--id', 'x'.repeat(49)], /49 characters/],
    [['--depends-on', 'ghost'], /unknown track "ghost"/],
    [['--type', 'epic'], /epic/],
    [['--spec-file', 'missing.md'], /does not exist/],
    [['--scope', '../outside'], /must not contain "\.\."/],
  ])('rejects %j with exit 2 and writes nothing', async (extra, message) => {
    const before = await snapshotState();
    const r = await ym(['new-track', 'Some title', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await snapshotState()).toEqual(before);
  });

  it('rejects an existing id', async () => {
    expect((await ym(['new-track', 'One', '--id', 'one'])).code).toBe(0);
    const before = await snapshotState();
    const r = await ym(['new-track', 'Another', '--id', 'one']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('track "one" already exists');
    expect(await snapshotState()).toEqual(before);
    expect(JSON.parse(repo.read('yardmaster/tracks/one/track.json')).title).toBe('One');
  });

  it('needs yardmaster.json', async () => {
    const other = makeRepo();
    try {
      const r = await runCli(['--cwd', other.dir, 'new-track', 'x'], { env: other.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('ym setup');
      expect(other.exists('yardmaster')).toBe(false);
    } finally {
      other.cleanup();
    }
  });
});

const TRACKS_YAML = `objective: Add a string utilities module
tracks:
  - id: slugify
    title: Add slugify()
    type: feature
    dependsOn: []
    scope: [src/slugify.js, test/slugify.test.js]
    spec: |
      Turn any string into a URL slug.
    phases:
      - title: Implement
        tasks: [Write failing test, Implement slugify]
  - id: truncate
    title: Add truncate()
    dependsOn: [slugify]
  - id: docs
    title: Document the module
    type: chore
    dependsOn: [slugify, truncate]
`;

describe('plan --from', () => {
  it('writes every track with dependencies, and status reports them', async () => {
    repo.write('tracks.yaml', TRACKS_YAML);
    const r = await ym([
      'plan',
      'Add string utilities',
      '--from',
      'tracks.yaml',
      '--yes',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tracks.map((t: { id: string }) => t.id)).toEqual(['slugify', 'truncate', 'docs']);
    expect(repo.read('yardmaster/tracks/slugify/plan.md')).toContain('- [ ] 1.2 Implement slugify');
    expect(repo.read('yardmaster/tracks/slugify/spec.md')).toContain(
      'Turn any string into a URL slug.',
    );
    expect(JSON.parse(repo.read('yardmaster/tracks/slugify/track.json')).scope).toEqual([
      'src/slugify.js',
      'test/slugify.test.js',
    ]);
    const status = JSON.parse((await ym(['status', '--json'])).stdout);
    expect(status.tracks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ['slugify', 'planned'],
      ['truncate', 'planned'],
      ['docs', 'planned'],
    ]);
    expect(status.tracks[2].dependsOn).toEqual(['slugify', 'truncate']);
    const table = await ym(['status']);
    expect(table.stdout).toMatch(/slugify\s+· planned\s+0\/2/);
  });

  it('accepts JSON, and dependencies on tracks that already exist', async () => {
    expect((await ym(['new-track', 'Base', '--id', 'base'])).code).toBe(0);
    repo.write(
      't.json',
      JSON.stringify({ tracks: [{ id: 'child', title: 'Child', dependsOn: ['base'] }] }),
    );
    const r = await ym(['plan', '--from', 't.json', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('child');
  });

  it.each([
    ['not yaml', 'tracks: [\n  - id: a\n  title: : x\n', /not valid YAML/],
    ['missing fields', 'tracks:\n  - id: a\n', /tracks\[0\]\.title/],
    [
      'duplicate ids',
      'tracks:\n  - {id: a, title: A}\n  - {id: a, title: B}\n',
      /duplicate track id "a"/,
    ],
    [
      'unknown dependency',
      'tracks:\n  - {id: a, title: A, dependsOn: [zz]}\n',
      /depends on unknown track "zz"/,
    ],
    [
      'cycle',
      'tracks:\n  - {id: a, title: A, dependsOn: [b]}\n  - {id: b, title: B, dependsOn: [a]}\n',
      /dependency cycle a -> b -> a/,
    ],
    [
      'scope outside',
      'tracks:\n  - {id: a, title: A, scope: [/etc/passwd]}\n',
      /scope\[0\]: must be relative/,
    ],
    ['bad id', 'tracks:\n  - {id: "A B", title: A}\n', /tracks\[0\]\.id/],
    [
      'bad plan.md task',
      'tracks:\n  - {id: a, title: A, phases: [{title: P, tasks: []}]}\n',
      /tracks\[0\]\.phases\[0\]\.tasks/,
    ],
  ])('rejects a file with %s: exit 2, nothing written', async (_name, text, message) => {
    expect((await ym(['new-track', 'Keep me', '--id', 'keep'])).code).toBe(0);
    const before = await snapshotState();
    repo.write('bad.yaml', text);
    const r = await ym(['plan', '--from', 'bad.yaml', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('bad.yaml');
    expect(await snapshotState()).toEqual(before);
  });

  it('rejects a missing file and a missing objective', async () => {
    expect((await ym(['plan', '--from', 'nope.yaml'])).stderr).toMatch(/does not exist/);
    const r = await ym(['plan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Say what to plan/);
  });
});

describe('status', () => {
  it('prints an empty table and JSON in a fresh repository', async () => {
    const r = await ym(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No tracks yet');
    const j = JSON.parse((await ym(['status', '--json'])).stdout);
    expect(j).toMatchObject({ target: 'main', provider: 'local', tracks: [], queue: [] });
  });

  it('a reader that closes the pipe early (`| head`) ends nothing in a crash', async () => {
    // The reader is gone before the CLI writes its first byte.
    const child = spawn(process.execPath, [CLI_BIN, '--cwd', repo.dir, 'status', '--json'], {
      env: { ...repo.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) =>
      child.on('close', (c) => resolve(c)),
    );
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
    expect(code).toBe(0);
  });

  it('finds the same state from a linked worktree', async () => {
    expect((await ym(['new-track', 'Shared', '--id', 'shared'])).code).toBe(0);
    repo.commit('add track');
    const wt = path.join(repo.root, 'wt');
    repo.git(['worktree', 'add', '-q', wt, '-b', 'other']);
    const r = await runCli(['--cwd', wt, 'status', '--json'], { env: repo.env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks.map((t: { id: string }) => t.id)).toEqual(['shared']);
    expect(existsSync(path.join(repo.dir, '.git', 'yardmaster', 'state.db'))).toBe(true);
    expect(existsSync(path.join(wt, '.git', 'yardmaster'))).toBe(false);
  });

  it('reads progress from the track branch when it exists', async () => {
    expect((await ym(['new-track', 'Branchy', '--id', 'branchy'])).code).toBe(0);
    repo.commit('add track');
    repo.git(['switch', '-q', '-c', 'ym/branchy']);
    const plan = repo
      .read('yardmaster/tracks/branchy/plan.md')
      .replace('- [ ] 1.1', '- [x] 1.1')
      .replace('- [ ] 1.2', '- [~] 1.2');
    repo.write('yardmaster/tracks/branchy/plan.md', plan);
    repo.commit('tick');
    repo.git(['switch', '-q', 'main']);
    // Mark the track as started so status looks at its branch.
    const db = path.join(repo.dir, '.git', 'yardmaster', 'state.db');
    const { default: Database } = await import('better-sqlite3');
    const conn = new Database(db);
    conn.prepare("UPDATE tracks SET branch = 'ym/branchy' WHERE id = 'branchy'").run();
    conn.close();
    const t = JSON.parse((await ym(['status', '--json'])).stdout).tracks[0];
    expect(t.planSource).toBe('branch');
    expect(t.tasks.done).toBe(1);
    expect(t.tasks.in_progress).toBe(1);
    expect(t.currentTask.id).toBe('1.2');
  });

  it('reports an unparseable plan.md with its line, without failing', async () => {
    expect((await ym(['new-track', 'Broken', '--id', 'broken'])).code).toBe(0);
    repo.write(
      'yardmaster/tracks/broken/plan.md',
      '# Plan: x\n## Phase 1: a\n- [ ] 1.1 ok\n- [?] 1.2 bad\n',
    );
    const t = JSON.parse((await ym(['status', '--json'])).stdout).tracks[0];
    expect(t.planError).toMatch(/plan\.md:4: .*\[\?\]/);
    expect((await ym(['status', 'nope'])).code).toBe(2);
  });
});

describe('config and repository errors', () => {
  it('config check passes, then reports bad keys by path with exit 2', async () => {
    expect((await ym(['config', 'check'])).code).toBe(0);
    repo.write(
      'yardmaster.json',
      JSON.stringify({ concurency: 3, agents: { mybot: { command: './bot.sh' } } }),
    );
    const r = await ym(['config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('concurency: unknown key (did you mean "concurrency"?)');
    expect(r.stderr).toMatch(/agents\.mybot\.command: .*array/);
    // Every command that reads the config refuses it the same way.
    expect((await ym(['new-track', 'x'])).code).toBe(2);
  });

  it('config schema prints a JSON Schema without a repository', async () => {
    const tmp = makeTempDir();
    try {
      const r = await runCli(['config', 'schema'], { cwd: tmp.dir, env: tmp.env });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).properties.merge).toBeDefined();
    } finally {
      tmp.cleanup();
    }
  });

  it('outside a repository, in a bare one, and with a missing --cwd: exit 2', async () => {
    const tmp = makeTempDir();
    const bare = makeRepo({ bare: true });
    try {
      const a = await runCli(['status'], { cwd: tmp.dir, env: tmp.env });
      expect(a.code).toBe(2);
      expect(a.stderr).toContain('Not a git repository');
      const b = await runCli(['--cwd', bare.dir, 'status'], { env: bare.env });
      expect(b.code).toBe(2);
      expect(b.stderr).toContain('bare repository');
      const c = await runCli(['--cwd', path.join(tmp.dir, 'nope'), 'status'], { env: tmp.env });
      expect(c.code).toBe(2);
      expect(c.stderr).toContain('Directory not found');
    } finally {
      tmp.cleanup();
      bare.cleanup();
    }
  });

  it('a corrupted or newer state.db gives a clear error and is left alone', async () => {
    expect((await ym(['status'])).code).toBe(0);
    const db = path.join(repo.dir, '.git', 'yardmaster', 'state.db');
    const { writeFileSync, rmSync } = await import('node:fs');
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    writeFileSync(
      db,
      'this is not a database, just some text that is long enough to look like a header........',
    );
    const bytes = readFileSync(db);
    const r = await ym(['status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('state.db');
    expect(readFileSync(db)).toEqual(bytes);
  });

  it('unknown commands and options are usage errors', async () => {
    expect((await ym(['frobnicate'])).code).toBe(2);
    expect((await ym(['status', '--bogus'])).code).toBe(2);
    const typo = await ym(['stauts']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'stauts'/);
  });

  it('--version and --help work', async () => {
    const v = await runCli(['--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    for (const cmd of [
      'setup',
      'new-track',
      'plan',
      'implement',
      'status',
      'review',
      'validate',
      'merge',
      'revert',
      'hooks',
      'demo',
      'config',
      'trust',
      'cancel',
      'archive',
      'clean',
      'doctor',
    ]) {
      expect(h.stdout).toContain(cmd);
    }
  });
});
