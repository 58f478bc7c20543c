// The merge queue's invariant as a property test: 30 generated tracks, about 30% of which break
// the test suite only in combination with another (semantic conflicts) and 20% of which
// conflict textually. After the queue, every first-parent commit of the target passes the test
// suite, every good track is merged and every bad one is reported with its reason.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';
import { recordReliability } from '../helpers/reliability.js';
import { generate, passesSuite, type Kind } from '../helpers/queue-corpus.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

// `npm run test:soak` (YM_SOAK=1) runs several seeds.
const SEEDS =
  process.env.YM_SOAK === '1' ? [7, 11, 23, 42] : [Number(process.env.YM_PROPERTY_SEED ?? 7)];

describe('merge queue invariant', () => {
  it.each(SEEDS)(
    'never lets a commit that fails the suite into the target (seed %i)',
    async (seed) => {
      const tracks = generate(seed);
      project = await makeProject({
        tracks: tracks.map((t) => ({ id: t.id })),
        config: {
          agent: 'scripted',
          attempts: 2,
          concurrency: 8,
          checks: [
            {
              name: 'suite',
              run: [process.execPath, path.join(FIXTURES, 'unique-names-check.mjs')],
            },
          ],
          merge: { onConflict: 'mark' },
        },
      });
      const p = project;
      for (const t of tracks) {
        const step = { files: t.files, tick: 'all', commit: `feat: ${t.id} (${t.kind})` };
        writeFileSync(
          path.join(p.repo.dir, 'yardmaster', 'tracks', t.id, 'agent-script.json'),
          JSON.stringify({ attempts: [step] }),
        );
      }
      p.repo.commit('agent scripts');
      const start = p.repo.git(['rev-parse', 'main']).trim();
      const r = await p.ym(['implement', '--json'], {}, 300_000);
      const states = new Map(
        (
          JSON.parse(r.stdout) as { tracks: { id: string; state: string; reason: string | null }[] }
        ).tracks.map((t) => [t.id, t]),
      );

      // 1. Every first-parent commit the queue added passes the suite.
      const added = p.repo
        .git(['rev-list', '--first-parent', `${start}..main`])
        .split('\n')
        .filter(Boolean);
      expect(added.length).toBeGreaterThan(0);
      for (const sha of added) expect(passesSuite(p.repo, sha), sha).toBe(true);
      // 2. Every good track is merged.
      for (const t of tracks.filter((x) => x.kind === 'good'))
        expect(states.get(t.id)?.state, t.id).toBe('merged');
      // 3. Of each semantic pair, one is merged and the other failed its checks (on the merged
      //    result, or on its own branch when it started after the first had merged).
      const pairsOf = (kind: Kind) => {
        const pairs = new Map<number, typeof tracks>();
        for (const t of tracks.filter((x) => x.kind === kind))
          pairs.set(t.pair, [...(pairs.get(t.pair) ?? []), t]);
        return [...pairs.values()];
      };
      for (const pair of pairsOf('semantic')) {
        const st = pair.map((t) => states.get(t.id)!);
        expect(
          st.filter((x) => x.state === 'merged'),
          `semantic pair ${pair.map((t) => t.id).join('+')}`,
        ).toHaveLength(1);
        const loser = st.find((x) => x.state !== 'merged')!;
        expect(loser.state).toBe('failed');
        expect(loser.reason).toMatch(/checks failed/);
      }
      // 4. Of each textual pair, the first is merged; the second either conflicted (it branched
      //    before the first landed) with the file named, or merged on top (it branched after).
      let conflicts = 0;
      for (const pair of pairsOf('textual')) {
        const st = pair.map((t) => states.get(t.id)!);
        expect(st.some((x) => x.state === 'merged')).toBe(true);
        for (const x of st.filter((y) => y.state !== 'merged')) {
          expect(x.state).toBe('conflicted');
          expect(x.reason).toMatch(/conflicts with main in shared\//);
          conflicts++;
        }
      }
      expect(conflicts + pairsOf('semantic').length).toBeGreaterThan(0);
      expect(r.code).toBe(1);
      // The user's checkout followed the target and holds only merged work.
      expect(p.repo.git(['status', '--porcelain'])).toBe('');
      expect(
        readFileSync(
          path.join(p.repo.dir, 'reg', `${tracks.find((t) => t.kind === 'good')!.id}.txt`),
          'utf8',
        ),
      ).toMatch(/^name-/);
      const count = (state: string) => [...states.values()].filter((t) => t.state === state).length;
      recordReliability({
        suite: 'merge queue',
        tried: `30 generated tracks (16 good, 8 that break the suite only in pairs, 6 that conflict textually in pairs) through implement and the merge queue (seed ${seed})`,
        outcome: `exit 1; ${count('merged')} merged, ${count('failed')} failed their checks, ${count('conflicted')} conflicted with the file named`,
        nothingLost: `every first-parent commit added to main (${added.length}) passes the suite; every good track merged; the user's checkout clean`,
      });
    },
    400_000,
  );
});

describe('conflict-aware scheduling on the corpus', () => {
  // The same corpus with each track's files declared as its scope: with `allow` every textual
  // pair's second track conflicts at the queue (its agent's work is wasted); with `serialize`
  // it waits for the first to merge, starts from the new target and merges too.
  async function conflictsWith(overlap: 'allow' | 'serialize') {
    const tracks = generate(Number(process.env.YM_PROPERTY_SEED ?? 7));
    const p = await makeProject({
      tracks: tracks.map((t) => ({ id: t.id, scope: Object.keys(t.files) })),
      config: {
        agent: 'scripted',
        attempts: 1,
        // Every track starts at once from the same target: with `allow`, each textual pair's
        // second track always branched before the first landed.
        concurrency: 30,
        scheduling: { overlap },
        checks: [
          { name: 'suite', run: [process.execPath, path.join(FIXTURES, 'unique-names-check.mjs')] },
        ],
        merge: { onConflict: 'mark' },
      },
    });
    project = p;
    for (const t of tracks)
      writeFileSync(
        path.join(p.repo.dir, 'yardmaster', 'tracks', t.id, 'agent-script.json'),
        JSON.stringify({ attempts: [{ files: t.files, tick: 'all', commit: `feat: ${t.id}` }] }),
      );
    p.repo.commit('agent scripts');
    const r = await p.ym(['implement', '--yes', '--json'], {}, 300_000);
    const states = (JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] }).tracks;
    const textual = tracks.filter((t) => t.kind === 'textual').map((t) => t.id);
    const result = {
      conflicted: states.filter((t) => t.state === 'conflicted').length,
      textualMerged: states.filter((t) => textual.includes(t.id) && t.state === 'merged').length,
      textual: textual.length,
    };
    p.cleanup();
    project = undefined;
    return result;
  }

  it('serialize avoids every textual conflict that allow runs into', async () => {
    const allow = await conflictsWith('allow');
    const serialize = await conflictsWith('serialize');
    expect(allow.conflicted).toBe(allow.textual / 2);
    expect(serialize.conflicted).toBe(0);
    expect(serialize.textualMerged).toBe(serialize.textual);
    recordReliability({
      suite: 'conflict-aware scheduling',
      tried: `the merge queue corpus with each track's files as its declared scope, scheduling.overlap allow, then serialize`,
      outcome: `allow: ${allow.conflicted} of ${allow.textual} textual tracks conflicted at the queue; serialize: ${serialize.conflicted} conflicted, all ${serialize.textualMerged} merged`,
      nothingLost: 'no agent work lost to a conflict the declared scopes predicted',
    });
  }, 600_000);
});
