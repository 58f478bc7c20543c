// The user's main checkout of the target during `ym merge`: uncommitted changes to a file the
// merge changes (or an untracked file where it adds one, or where it needs a directory) hold the merge back and are never
// touched; changes elsewhere are kept while the checkout follows the target.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeProject, type Project } from '../helpers/tracks.js';
import { openStateStore } from '../../src/state/open.js';
import { makeRepo } from '../helpers/repo.js';
import { runCli } from '../helpers/cli.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

interface MergeJson {
  results: { id: string; outcome: string; reason: string | null }[];
  targetSha: string;
}

describe('merge and the main checkout', () => {
  it('waits while the checkout has uncommitted changes to files the merge changes, and follows the target otherwise', async () => {
    project = await makeProject({
      tracks: [{ id: 'edits' }, { id: 'adds' }],
      config: { agent: 'scripted' },
    });
    const p = project;
    p.repo.write('notes.txt', 'notes v1\n');
    const script = (files: Record<string, string>) =>
      JSON.stringify({ attempts: [{ files, tick: 'all', commit: 'work' }] });
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster/tracks/edits/agent-script.json'),
      script({ 'notes.txt': 'notes v2\n' }),
    );
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster/tracks/adds/agent-script.json'),
      script({ 'lib/added.txt': 'added\n' }),
    );
    p.repo.commit('notes and scripts');
    expect((await p.ym(['implement', '--no-merge'])).code).toBe(0);
    const merge = async (id: string) => {
      const r = await p.ym(['merge', id, '--json']);
      return { code: r.code, stderr: r.stderr, json: JSON.parse(r.stdout) as MergeJson };
    };
    const main = () => p.repo.git(['rev-parse', 'main']).trim();
    const status = () =>
      p.repo
        .git(['status', '--porcelain', '--untracked-files=all'])
        .split('\n')
        .filter(Boolean)
        .sort();

    // Dirty in a file the merge changes, and where it adds a file (untracked, in a directory).
    p.repo.write('notes.txt', 'my own notes\n');
    p.repo.write('lib/added.txt', 'mine, untracked\n');
    p.repo.write('scratch.txt', 'elsewhere\n');
    const before = main();
    for (const [id, file] of [
      ['edits', 'notes.txt'],
      ['adds', 'lib/added.txt'],
    ] as const) {
      const r = await merge(id);
      expect(r.code, r.stderr).toBe(1);
      expect(r.json.results).toEqual([
        {
          id,
          outcome: 'waiting',
          state: 'ready',
          reason: expect.stringContaining(file),
          mergedSha: null,
        },
      ]);
      expect(main()).toBe(before);
    }
    expect(p.repo.read('notes.txt')).toBe('my own notes\n');
    expect(p.repo.read('lib/added.txt')).toBe('mine, untracked\n');

    // An untracked file standing where the merge needs a directory (`lib` where `lib/added.txt`
    // arrives): the checkout could not follow, so the merge waits too.
    p.repo.git(['clean', '-q', '-f', '--', 'lib']);
    p.repo.write('lib', 'a file, not a directory\n');
    const shadowed = await merge('adds');
    expect(shadowed.code, shadowed.stderr).toBe(1);
    expect(shadowed.json.results).toEqual([
      expect.objectContaining({
        id: 'adds',
        outcome: 'waiting',
        reason: expect.stringContaining('(lib)'),
      }),
    ]);
    expect(main()).toBe(before);
    expect(p.repo.read('lib')).toBe('a file, not a directory\n');

    // Dirty only elsewhere: it lands, the checkout follows, the user's changes stay.
    rmSync(path.join(p.repo.dir, 'lib'));
    const adds = await merge('adds');
    expect(adds.code, adds.stderr).toBe(0);
    expect(adds.json.results.map((r) => r.outcome)).toEqual(['merged']);
    expect(main()).not.toBe(before);
    expect(p.repo.read('lib/added.txt')).toBe('added\n');
    expect(p.repo.read('notes.txt')).toBe('my own notes\n');
    expect(status()).toEqual([' M notes.txt', '?? scratch.txt']);

    // Once the user's change is gone, the other track lands too and the checkout has its file.
    p.repo.git(['checkout', '--', 'notes.txt']);
    const edits = await merge('edits');
    expect(edits.code, edits.stderr).toBe(0);
    expect(edits.json.results.map((r) => r.outcome)).toEqual(['merged']);
    expect(p.repo.read('notes.txt')).toBe('notes v2\n');
    expect(status()).toEqual(['?? scratch.txt']);
    expect(p.repo.git(['diff', '--quiet', 'HEAD']).trim()).toBe('');
  });
});

describe('merge and checks that rewrite tracked files', () => {
  it('never lands a commit whose checks ran on a tree a check had changed: back to the agent', async () => {
    // The check rewrites a tracked file only during the merge (it sees YM_MERGE_HOLDER there),
    // as a formatter run with --write would: the later checks then saw another tree.
    project = await makeProject({
      tracks: [{ id: 'fmt' }],
      config: {
        agent: 'scripted',
        checks: [
          {
            name: 'format',
            run: [
              'sh',
              '-c',
              'if [ -n "$YM_MERGE_HOLDER" ]; then echo reformatted >> README.md; fi',
            ],
          },
        ],
      },
    });
    const p = project;
    p.repo.write('README.md', '# project\n');
    p.repo.commit('readme');
    expect((await p.ym(['implement', '--no-merge'])).code).toBe(0);
    const before = p.repo.git(['rev-parse', 'main']);
    const r = await p.ym(['merge', 'fmt', '--json']);
    const json = JSON.parse(r.stdout) as MergeJson;
    expect(json.results.map((x) => x.outcome)).not.toContain('merged');
    expect(p.repo.git(['rev-parse', 'main'])).toBe(before);
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { id: string; state: string }[];
    };
    expect(status.tracks.find((t) => t.id === 'fmt')?.state).toBe('queued');
    const store = openStateStore(path.join(p.repo.dir, '.git', 'yardmaster'));
    try {
      const feedback = store
        .listEvents({ trackId: 'fmt' })
        .filter((e) => e.type === 'track.feedback');
      expect(JSON.stringify(feedback.map((e) => e.data))).toMatch(
        /changed tracked files \(README\.md\)/,
      );
    } finally {
      store.close();
    }
  });
});

// Track docs written by `ym plan` and never committed: the checkout holds them untracked while
// the docs travel with each track's branch. What lands in their place is what yardmaster copied
// (or that with tasks ticked), so they are not the user's changes: the checkout follows.
describe('track docs left uncommitted in the checkout', () => {
  // Every track adds <id>.txt; the track "ticks" also ticks its plan.md, "plain" leaves it as is.
  const AGENT = [
    'sh',
    '-c',
    'echo "$YM_TRACK_ID" > "$YM_TRACK_ID.txt" && if [ "$YM_TRACK_ID" = ticks ]; then sed -i "s/- \\[ \\]/- [x]/" "$YM_TRACK_DIR/plan.md"; fi && git add -A && git commit -q -m "feat: $YM_TRACK_ID"',
  ];
  const docs = (id: string) =>
    ['track.json', 'spec.md', 'plan.md'].map((f) => `yardmaster/tracks/${id}/${f}`);

  async function plannedNotCommitted() {
    const repo = makeRepo();
    const ym = (args: string[]) =>
      runCli(['--cwd', repo.dir, ...args], { env: repo.env, timeoutMs: 90_000 });
    repo.write(
      'yardmaster.json',
      JSON.stringify(
        {
          target: 'main',
          agent: 'sh',
          agents: { sh: { command: AGENT } },
          builtinChecks: { planComplete: 'warn' },
        },
        null,
        2,
      ),
    );
    repo.write(
      'tracks.json',
      JSON.stringify({
        tracks: [
          { id: 'ticks', title: 'Ticks its plan' },
          { id: 'plain', title: 'Leaves its plan' },
        ],
      }),
    );
    repo.commit('configure yardmaster');
    const plan = await ym(['plan', '--from', 'tracks.json', '--yes']);
    expect(plan.code, plan.stderr).toBe(0);
    const untracked = repo
      .git(['status', '--porcelain', '--untracked-files=all'])
      .split('\n')
      .filter(Boolean)
      .sort();
    expect(untracked).toEqual([...docs('plain'), ...docs('ticks')].sort().map((f) => `?? ${f}`));
    return { repo, ym, cleanup: () => repo.cleanup() };
  }

  it('implement merges every track, the checkout follows and the docs become tracked', async () => {
    const p = await plannedNotCommitted();
    project = { repo: p.repo, ym: p.ym, cleanup: p.cleanup };
    p.repo.write('scratch.txt', 'mine\n');
    const copied = p.repo.read('yardmaster/tracks/ticks/plan.md');
    const r = await p.ym(['implement', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/uncommitted changes|could not update the files/);
    const states = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { id: string; state: string }[];
    };
    expect(states.tracks.map((t) => [t.id, t.state]).sort()).toEqual([
      ['plain', 'merged'],
      ['ticks', 'merged'],
    ]);
    const main = p.repo.git(['rev-parse', 'main']).trim();
    expect(p.repo.git(['rev-parse', 'HEAD']).trim()).toBe(main);
    for (const id of ['ticks', 'plain']) {
      expect(
        p.repo
          .git(['ls-tree', '--name-only', 'main', `yardmaster/tracks/${id}/`])
          .split('\n')
          .filter(Boolean)
          .sort(),
      ).toEqual(docs(id).sort());
      expect(p.repo.read(`${id}.txt`)).toBe(`${id}\n`);
    }
    // Only the user's own untracked file is left: the docs are tracked and as they landed.
    expect(
      p.repo.git(['status', '--porcelain', '--untracked-files=all']).split('\n').filter(Boolean),
    ).toEqual(['?? scratch.txt']);
    // The untracked copy of "ticks" was not what landed (the agent ticked it) but yardmaster's own.
    expect(copied).toContain('- [ ]');
    expect(p.repo.read('yardmaster/tracks/ticks/plan.md')).toContain('- [x]');
    expect(p.repo.read('yardmaster/tracks/ticks/plan.md')).not.toContain('- [ ]');
    expect(p.repo.read('yardmaster/tracks/plain/plan.md')).toContain('- [ ]');
    // The copies were dropped once the checkout had the landed files: nothing left set aside.
    expect(
      readdirSync(path.join(p.repo.dir, '.git')).filter((f) =>
        f.startsWith('yardmaster-set-aside'),
      ),
    ).toEqual([]);
  });

  it('a plan.md the user edited holds the landing of that track, and nothing of it is lost', async () => {
    const p = await plannedNotCommitted();
    project = { repo: p.repo, ym: p.ym, cleanup: p.cleanup };
    const r = await p.ym(['implement', '--no-merge', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // Edited after yardmaster copied it to the branch: the user's work now.
    const mine = `${p.repo.read('yardmaster/tracks/plain/plan.md')}\nmy own note\n`;
    p.repo.write('yardmaster/tracks/plain/plan.md', mine);
    const before = p.repo.git(['rev-parse', 'main']).trim();
    const merge = await p.ym(['merge', 'plain', '--json']);
    expect(merge.code, merge.stderr).toBe(1);
    const json = JSON.parse(merge.stdout) as MergeJson;
    expect(json.results).toEqual([
      expect.objectContaining({
        id: 'plain',
        outcome: 'waiting',
        reason: expect.stringMatching(
          /has uncommitted changes to files this merge changes \(yardmaster\/tracks\/plain\/plan\.md\)/,
        ),
      }),
    ]);
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(before);
    expect(p.repo.read('yardmaster/tracks/plain/plan.md')).toBe(mine);
    // The other track's docs are yardmaster's copies: it lands, and the edited plan stays.
    const ticks = await p.ym(['merge', 'ticks', '--json']);
    expect(ticks.code, ticks.stderr).toBe(0);
    expect(p.repo.read('yardmaster/tracks/plain/plan.md')).toBe(mine);
    expect(
      p.repo
        .git(['status', '--porcelain', '--untracked-files=all'])
        .split('\n')
        .filter(Boolean)
        .sort(),
    ).toEqual(
      docs('plain')
        .map((f) => `?? ${f}`)
        .sort(),
    );
  });
});
