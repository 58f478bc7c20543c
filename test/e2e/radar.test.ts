// Conflict radar: predicted conflicts between ready tracks, in status --json and merge --dry-run.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeProject, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

describe('conflict radar', () => {
  it('predicts a conflict between two ready tracks without changing anything', async () => {
    project = await makeProject({
      tracks: [{ id: 'left' }, { id: 'right' }, { id: 'other' }],
      config: { agent: 'scripted' },
    });
    const p = project;
    const script = (content: string, file = 'same.txt') =>
      JSON.stringify({
        attempts: [{ files: { [file]: content }, tick: 'all', commit: `write ${file}` }],
      });
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster/tracks/left/agent-script.json'),
      script('left\n'),
    );
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster/tracks/right/agent-script.json'),
      script('right\n'),
    );
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster/tracks/other/agent-script.json'),
      script('other\n', 'other.txt'),
    );
    p.repo.commit('scripts');
    expect((await p.ym(['implement', '--no-merge'])).code).toBe(0);
    const status = JSON.parse((await p.ym(['status', '--json'])).stdout) as {
      tracks: { id: string; conflicts: string[] }[];
    };
    const c = Object.fromEntries(status.tracks.map((t) => [t.id, t.conflicts]));
    expect(c).toEqual({ left: ['right'], right: ['left'], other: [] });
    const before = p.repo.git(['rev-parse', 'main']);
    const dry = await p.ym(['merge', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as {
      order: { id: string }[];
      predictions: { a: string; b: string; paths: string[] }[];
    };
    expect(plan.order.map((o) => o.id).sort()).toEqual(['left', 'other', 'right']);
    expect(plan.predictions).toEqual([{ a: 'left', b: 'right', paths: ['same.txt'] }]);
    expect(p.repo.git(['rev-parse', 'main'])).toBe(before);
    // The queue then merges one and marks the other conflicted with the path.
    const m = await p.ym(['merge', '--json']);
    const results = (
      JSON.parse(m.stdout) as { results: { id: string; outcome: string; reason: string | null }[] }
    ).results;
    expect(results.filter((r) => r.outcome === 'conflicted').map((r) => r.reason)).toEqual([
      expect.stringContaining('same.txt'),
    ]);
    expect(m.code).toBe(1);
  });
});
