// Conflict-aware scheduling (scheduling.overlap): two tracks whose declared scopes overlap both
// append to the end of one file, so run side by side the second conflicts at the queue. With
// "serialize" (the default) it waits for the first to merge and starts from the new target:
// no conflict, no agent work thrown away. A third track with its own scope is not held.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';
import { openStateStore } from '../../src/state/index.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

async function overlapProject(
  overlap?: 'serialize' | 'allow',
): Promise<{ p: Project; log: string }> {
  const p = await makeProject({
    tracks: [
      { id: 'first', scope: ['src/registry.js'] },
      { id: 'second', scope: ['src/'] },
      { id: 'own-work', scope: ['src/own-work.js', 'test/own-work.test.js'] },
    ],
  });
  p.repo.write('src/registry.js', '// every feature registers here\n');
  const log = path.join(p.repo.root, 'agent.jsonl');
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...JSON.parse(readFileSync(file, 'utf8')),
      agent: 'appender',
      agents: {
        appender: {
          command: ['sh', path.join(FIXTURES, 'overlap', 'agent.sh')],
          env: { AGENT_LOG: log },
        },
      },
      attempts: 1,
      ...(overlap ? { scheduling: { overlap } } : {}),
    }),
  );
  p.repo.commit('the registry and the agent');
  return { p, log };
}

const conflicts = (p: Project) => {
  const store = openStateStore(path.join(p.repo.dir, '.git', 'yardmaster'));
  try {
    return store
      .listEvents()
      .filter((e) => e.type === 'track.state' && (e.data as { to?: string }).to === 'conflicted')
      .length;
  } finally {
    store.close();
  }
};

describe('scheduling.overlap', () => {
  it('serialize (default): the overlapping track waits for the first to merge, starts from it, and nothing conflicts', async () => {
    const { p, log } = await overlapProject();
    project = p;
    const r = await p.ym(['implement', '--yes', '--concurrency', '4']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/second waits for first to merge: their scopes overlap \(src\)/);
    expect(r.stdout).toMatch(/3 merged/);
    // It started from the target with the first track's line in it.
    const seen = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { track: string; seen: number });
    expect(seen).toEqual([
      { track: 'first', seen: 0 },
      { track: 'second', seen: 1 },
    ]);
    expect(p.repo.read('src/registry.js')).toBe(
      '// every feature registers here\nexport const first = true;\nexport const second = true;\n',
    );
    expect(conflicts(p)).toBe(0);
    // The track with a scope of its own was not held back.
    expect(r.stdout).not.toMatch(/own-work waits/);
  });

  it('allow: both start at once and the second conflicts at the queue (the conflict serialize avoids)', async () => {
    const { p } = await overlapProject('allow');
    project = p;
    const r = await p.ym(['implement', '--yes', '--concurrency', '4']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(/waits for/);
    expect(conflicts(p)).toBe(1);
  });
});
