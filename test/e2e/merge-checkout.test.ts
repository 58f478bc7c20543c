// The user's main checkout of the target during `ym merge`: uncommitted changes to a file the
// merge changes (or an untracked file where it adds one, or where it needs a directory) hold the merge back and are never
// touched; changes elsewhere are kept while the checkout follows the target.
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeProject, type Project } from '../helpers/tracks.js';
import { openStateStore } from '../../src/state/open.js';

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
    expect(shadowed.json.results).toEqual([expect.objectContaining({ id: 'adds', outcome: 'waiting', reason: expect.stringContaining('(lib)') })]);
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
        checks: [{ name: 'format', run: ['sh', '-c', 'if [ -n "$YM_MERGE_HOLDER" ]; then echo reformatted >> README.md; fi'] }],
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
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as { tracks: { id: string; state: string }[] };
    expect(status.tracks.find((t) => t.id === 'fmt')?.state).toBe('queued');
    const store = openStateStore(path.join(p.repo.dir, '.git', 'yardmaster'));
    try {
      const feedback = store.listEvents({ trackId: 'fmt' }).filter((e) => e.type === 'track.feedback');
      expect(JSON.stringify(feedback.map((e) => e.data))).toMatch(/changed tracked files \(README\.md\)/);
    } finally {
      store.close();
    }
  });
});
