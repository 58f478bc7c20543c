// revert end to end, for each merge strategy and each granularity: a task, a phase (and the
// phases after it), the whole track; revert commits with their trailers, plan markers reset, the
// user's checkout fast-forwarded, state.db recording it.
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/open.js';
import { A1, markers, mergedSlug, trailers, type RevertFixture } from '../helpers/revert.js';

let f: RevertFixture | undefined;
afterEach(() => f?.cleanup());

function events(fx: RevertFixture, type: string): { data: Record<string, unknown> }[] {
  const store = openStateStore(fx.stateDir);
  try {
    return store.listEvents({ trackId: 'slug' }).filter((e) => e.type === type) as {
      data: Record<string, unknown>;
    }[];
  } finally {
    store.close();
  }
}

describe.each(['rebase', 'merge', 'squash'] as const)(
  'revert, with the %s strategy',
  (strategy) => {
    it('undoes a task, then a phase and the phases after it, then the whole track', async () => {
      // Conductor-style SHAs in plan.md that are stale from the start: revert must not use them.
      f = await mergedSlug({
        strategy,
        plan: (t) => t.replace(/^(- \[ \] \d\.\d .*)$/gm, '$1 [0badc0de]'),
      });
      const fx = f;
      const mergedAt = fx.mainSha();
      expect(fx.onMain('src/b.js')).not.toBeNull();

      const task = await fx.ym(['revert', 'slug:task1.2', '--yes']);
      expect(task.code, task.stderr).toBe(0);
      expect(task.stdout).toContain('Revert task 1.2 of slug on main');
      expect(fx.onMain('src/b.js')).toBeNull();
      expect(fx.onMain('src/a.js')).toContain('a2');
      expect(fx.onMain('src/c.js')).not.toBeNull();
      expect(markers(fx.planOnMain())).toEqual({ '1.1': 'x', '1.2': ' ', '2.1': 'x', '2.2': 'x' });
      expect(fx.planOnMain()).toContain('[0badc0de]');
      // The revert commit carries both trailers; the markers are reset in the commit after it.
      expect(fx.git(['log', '-1', '--format=%s', 'main'])).toBe(
        'chore(yardmaster): reset the plan markers of slug:task1.2',
      );
      const t = trailers(fx, 'main~1');
      expect(t['Yardmaster-Track']).toEqual(['slug']);
      expect(t['Yardmaster-Revert']).toHaveLength(1);
      expect(fx.git(['log', '-1', '--format=%s', 'main~1'])).toBe('Revert "slug: task 1.2"');
      // The user's checkout followed, clean.
      expect(fx.repo.exists('src/b.js')).toBe(false);
      expect(fx.git(['status', '--porcelain'])).toBe('');
      expect(events(fx, 'track.partially_reverted')).toHaveLength(1);
      expect((await fx.status()).tracks[0]!.state).toBe('merged');

      const phase = await fx.ym(['revert', 'slug:phase2', '--yes', '--json']);
      expect(phase.code, phase.stderr).toBe(0);
      const result = JSON.parse(phase.stdout);
      expect(result).toMatchObject({
        applied: true,
        spec: 'slug:phase2',
        state: 'merged',
        tasks: ['2.1', '2.2'],
      });
      expect(result.plan.alreadyReverted.length).toBeGreaterThan(0);
      expect(fx.onMain('src/a.js')).toBe(A1);
      expect(fx.onMain('src/c.js')).toBeNull();
      expect(markers(fx.planOnMain())).toEqual({ '1.1': 'x', '1.2': ' ', '2.1': ' ', '2.2': ' ' });

      const again = await fx.ym(['revert', 'slug:task2.2', '--yes']);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(
        /Nothing to revert: no commit of task 2\.2 of slug is on main that is not reverted already/,
      );

      const track = await fx.ym(['revert', 'slug', '--yes']);
      expect(track.code, track.stderr).toBe(0);
      expect(track.stdout).toContain('Track slug is now reverted.');
      for (const file of ['src/a.js', 'src/b.js', 'src/c.js']) expect(fx.onMain(file)).toBeNull();
      expect(markers(fx.planOnMain())).toEqual({ '1.1': ' ', '1.2': ' ', '2.1': ' ', '2.2': ' ' });
      expect(fx.repo.exists('src/a.js')).toBe(false);
      expect(fx.git(['status', '--porcelain'])).toBe('');
      expect((await fx.status()).tracks[0]!.state).toBe('reverted');
      const state = events(fx, 'track.state').at(-1)!.data;
      expect(state).toMatchObject({ from: 'merged', to: 'reverted', spec: 'slug' });
      expect(fx.revertWorktrees()).toEqual([]);
      // Never a rewrite: every revert is a new commit on top of what was merged.
      expect(fx.git(['merge-base', '--is-ancestor', mergedAt, 'main'])).toBe('');
    });

    it('undoes the whole track in one go, and refuses to do it twice', async () => {
      f = await mergedSlug({ strategy });
      const fx = f;
      const mergedAt = fx.mainSha();
      const r = await fx.ym(['revert', 'slug', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      const whole = strategy === 'rebase' ? undefined : strategy;
      expect(out.plan.commits.map((c: { whole?: string }) => c.whole)).toEqual(
        strategy === 'rebase' ? [whole, whole, whole, whole] : [whole],
      );
      for (const file of ['src/a.js', 'src/b.js', 'src/c.js']) expect(fx.onMain(file)).toBeNull();
      expect(fx.git(['merge-base', '--is-ancestor', mergedAt, 'main'])).toBe('');
      expect(markers(fx.planOnMain())).toEqual({ '1.1': ' ', '1.2': ' ', '2.1': ' ', '2.2': ' ' });
      // The revert commits name what they undo.
      const reverted = fx
        .git(['log', '--format=%(trailers:key=Yardmaster-Revert,valueonly)', `${mergedAt}..main`])
        .split('\n')
        .filter(Boolean);
      expect(reverted).toHaveLength(strategy === 'rebase' ? 4 : 1);
      const twice = await fx.ym(['revert', 'slug', '--yes']);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('Track slug is reverted, not merged');
    });
  },
);
