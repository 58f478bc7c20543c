// The speculative window with a forge (docs/forges.md): landing stays one pull/merge request at
// a time through the forge, but the local checks of the next candidate run while the forge's
// CI runs for the head, and their report stands for the candidate rebuilt on the forge's own
// merge commit, by its tree: no track's local checks run twice.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import { expectFirstRunLanded, firstRunProject, type FirstRun } from '../helpers/first-run.js';

let run: FirstRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

describe('speculation with a forge', () => {
  for (const provider of ['github', 'gitlab'] as const) {
    it(`checks the next track while ${provider} runs CI for the head, and reuses that report on the forge's merge`, async () => {
      run = await firstRunProject({ provider });
      const ready = await run.ym(['implement', '--no-merge', '--yes']);
      expect(ready.code, ready.stdout + ready.stderr).toBe(0);
      // The forge's CI takes a few looks for every head: the window has time to check ahead.
      run.forge!.ci.checks = [
        { name: 'test', steps: ['queued', 'in_progress', 'in_progress', 'in_progress', 'success'] },
      ];
      const r = await run.ym(['merge', '--speculate', '2', '--yes', '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const store = openStateStore(path.join(run.repo.dir, '.git', 'yardmaster'));
      try {
        const events = store.listEvents({});
        const merged = (id: string) =>
          events.find(
            (e) =>
              e.trackId === id &&
              e.type === 'track.state' &&
              (e.data as { to?: string }).to === 'merged',
          )!;
        // The two ready tracks (use-slugify waits for slugify, below).
        const order = ['slugify', 'titlecase'].sort((a, b) => merged(a).id - merged(b).id);
        // Every track's local checks ran once in the whole merge (the window's run), and the
        // landing took that report, also for a track rebuilt on the forge's merge commit.
        for (const id of order) {
          const runs = events.filter(
            (e) =>
              e.trackId === id &&
              e.type === 'merge.speculated' &&
              (e.data as { ok?: unknown }).ok !== null,
          );
          expect(runs, id).toHaveLength(1);
          const landing = events.filter(
            (e) =>
              e.trackId === id &&
              e.type === 'checks.finished' &&
              (e.data as { during?: string }).during === 'merge',
          );
          expect(landing.map((e) => (e.data as { speculated?: boolean }).speculated)).toEqual([
            true,
          ]);
        }
        // The second track's checks ran on the first one's local candidate, while the forge's
        // CI ran for the first: they were done before the first one merged.
        const [first, second] = order as [string, string];
        const ahead = events.find((e) => e.trackId === second && e.type === 'merge.speculated')!;
        expect(ahead.id).toBeLessThan(merged(first).id);
        const firstMerge = (merged(first).data as { targetBefore?: string }).targetBefore;
        expect((ahead.data as { base?: string }).base).not.toBe(firstMerge);
      } finally {
        store.close();
      }
      // The dependent track runs and lands the same way.
      const rest = await run.ym(['implement', '--yes']);
      expect(rest.code, rest.stdout + rest.stderr).toBe(0);
      await expectFirstRunLanded(run);
    }, 120_000);
  }
});
