// The speculative queue's promise as a property test: on the merge queue's corpus (30
// generated tracks, about 30% breaking the suite only together with another, 20% conflicting
// textually), `merge.speculate` 1, 2, 4 and 8 merge exactly the same tracks in exactly the
// same order, every first-parent position of the target passes the suite, every commit the
// target held was checked (that very SHA) and passed, and no check the window started or
// stopped is still running afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';
import { generate, passesSuite } from '../helpers/queue-corpus.js';
import { recordReliability } from '../helpers/reliability.js';

const projects: Project[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

const SEED = Number(process.env.YM_PROPERTY_SEED ?? 7);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Outcome {
  merged: string[];
  states: Map<string, string>;
  checkRuns: number;
  mergeMs: number;
  speculation: { started: number; stopped: number; setbacks: number } | null;
}

async function runWith(speculate: number): Promise<Outcome> {
  const tracks = generate(SEED);
  const p = await makeProject({
    tracks: tracks.map((t) => ({ id: t.id })),
    config: { agent: 'scripted', attempts: 1, concurrency: 8, merge: { onConflict: 'mark' } },
  });
  projects.push(p);
  for (const t of tracks)
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster', 'tracks', t.id, 'agent-script.json'),
      JSON.stringify({ attempts: [{ files: t.files, tick: 'all', commit: `feat: ${t.id}` }] }),
    );
  p.repo.commit('agent scripts');
  // Every track validated on its own first (each passes alone): the queue starts full.
  const built = await p.ym(['implement', '--no-merge', '--yes', '--json'], {}, 300_000);
  expect(built.code, built.stderr).toBe(0);
  const log = path.join(p.repo.root, `checks-${speculate}.log`);
  const configFile = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...JSON.parse(readFileSync(configFile, 'utf8')),
      checks: [
        {
          name: 'suite',
          run: [process.execPath, path.join(FIXTURES, 'logged-names-check.mjs'), log, '250'],
        },
      ],
    }),
  );
  p.repo.commit('the suite, logged');
  const start = p.repo.git(['rev-parse', 'main']).trim();
  const began = performance.now();
  const r = await p.ym(['merge', '--speculate', String(speculate), '--yes', '--json'], {}, 300_000);
  const mergeMs = performance.now() - began;
  expect([0, 1], r.stderr).toContain(r.code);
  const out = JSON.parse(r.stdout) as {
    results: { id: string; state: string }[];
    speculation: Outcome['speculation'];
  };
  const positions = p.repo
    .git(['rev-list', '--first-parent', '--reverse', `${start}..main`])
    .split('\n')
    .filter(Boolean);
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const passed = new Set(
    lines.filter((l) => l.startsWith('end ') && l.endsWith(' pass')).map((l) => l.split(' ')[2]),
  );
  for (const sha of positions) {
    // Every position passes the suite, and that very commit was checked and passed.
    expect(passesSuite(p.repo, sha), sha).toBe(true);
    expect(passed.has(sha), `${sha} landed without a passing check of it`).toBe(true);
  }
  // Every check the queue started has ended: none of a stopped candidate is left running.
  const pids = lines.filter((l) => l.startsWith('start ')).map((l) => Number(l.split(' ')[1]));
  expect(pids.filter(alive)).toEqual([]);
  const merged = positions.map((sha) =>
    p.repo.git(['log', '-1', '--format=%(trailers:key=Yardmaster-Track,valueonly)', sha]).trim(),
  );
  return {
    merged,
    states: new Map(out.results.map((t) => [t.id, t.state])),
    checkRuns: pids.length,
    mergeMs,
    speculation: out.speculation,
  };
}

describe('speculative merge queue', () => {
  it(`merges the same tracks in the same order with speculate 1, 2, 4 and 8 (seed ${SEED})`, async () => {
    const serial = await runWith(1);
    expect(serial.merged.length).toBeGreaterThan(10);
    const secs = (o: Outcome) => `${(o.mergeMs / 1000).toFixed(1)} s`;
    const figures = [`1: ${serial.checkRuns} check runs, ${secs(serial)}`];
    for (const k of [2, 4, 8]) {
      const spec = await runWith(k);
      expect(spec.merged, `speculate ${k}`).toEqual(serial.merged);
      expect(spec.states, `speculate ${k}`).toEqual(serial.states);
      expect(spec.speculation?.started ?? 0).toBeGreaterThan(0);
      figures.push(
        `${k}: ${spec.checkRuns} check runs (${spec.speculation?.stopped ?? 0} stopped, ${spec.speculation?.setbacks ?? 0} setbacks), ${secs(spec)}`,
      );
    }
    recordReliability({
      suite: 'speculative merge queue',
      tried: `the merge queue corpus (seed ${SEED}: 30 tracks, 8 breaking the suite in pairs, 6 conflicting in pairs) merged with speculate 1, 2, 4 and 8`,
      outcome: `the same ${serial.merged.length} tracks merged in the same order each time; ${figures.join('; ')}`,
      nothingLost:
        'every first-parent position of main passes the suite and was itself checked; no check process left running',
    });
  }, 900_000);
});
