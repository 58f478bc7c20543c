// The exact first run of a new user (issue 13): `setup --yes`, `plan --from F --yes` with no
// commit afterwards, `implement` with a custom shell agent that never ticks plan.md, the
// project's node:test suite as the check, one track failing its tests on attempt 1 and fixed
// from the feedback, one track depending on another. Every track merges, `implement` exits 0,
// and the user's checkout is clean and at the target. Locally, and through GitHub and GitLab
// (the real clients against the fake forge).
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openStateStore } from '../../src/state/index.js';
import { storeActions } from '../../src/tui/actions.js';
import { expectFirstRunLanded, firstRunProject, type FirstRun } from '../helpers/first-run.js';

let run: FirstRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

describe('first real run', () => {
  it('a paused merge queue: implement validates everything, merges nothing, exits 1 and says how to resume', async () => {
    run = await firstRunProject();
    // Paused from the status view (`p`) before the run: the state.db exists once plan ran.
    const store = openStateStore(path.join(run.repo.dir, '.git', 'yardmaster'));
    try {
      expect(storeActions(store).togglePause().message).toBe('merge queue paused');
    } finally {
      store.close();
    }
    const r = await run.ym(['implement', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /slugify: waiting — the merge queue is paused; press p in `ym status` to resume it, then run `ym merge`/,
    );
    expect(r.stdout).toMatch(/use-slugify: waiting — on slugify \(ready\)/);
    expect(run.repo.git(['log', '--oneline', 'main']).split('\n').filter(Boolean)).toHaveLength(2);
  });

  for (const provider of ['local', 'github', 'gitlab'] as const) {
    it(`merges every track with no commit after plan (${provider})`, async () => {
      run = await firstRunProject({ provider });
      const r = await run.ym(['implement', '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/3 merged/);
      await expectFirstRunLanded(run);
      // slugify failed its tests on attempt 1 and was fixed on attempt 2 from the feedback.
      const starts = run.bot().filter((b) => b.event === 'start' && b.track === 'slugify');
      expect(starts.map((s) => [s.attempt, s.feedback])).toEqual([
        [1, false],
        [2, true],
      ]);
      // plan-complete only warned: no track needed a ticked plan.md to merge.
      for (const t of ['titlecase', 'use-slugify'])
        expect(run.bot().filter((b) => b.event === 'start' && b.track === t)).toHaveLength(1);
      if (run.forge) {
        const merged =
          provider === 'github'
            ? run.forge.github.pulls.filter((p) => p.merged).length
            : run.forge.gitlab.mrs.filter((m) => m.state === 'merged').length;
        expect(merged).toBe(3);
        expect(run.forge.bare.head('main')).toBe(
          run.repo.git(['rev-parse', 'refs/heads/main']).trim(),
        );
      }
    });
  }

  it('a plan.md the user edited in the checkout still holds the landing: exit 1, says what to do, nothing lost', async () => {
    run = await firstRunProject();
    const validated = await run.ym(['implement', '--no-merge', '--yes']);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    // Edited after its branch took the copy: the file in the checkout is the user's now.
    const edited = `${run.repo.read('yardmaster/tracks/titlecase/plan.md')}\n- [ ] 1.3 My own note\n`;
    run.repo.write('yardmaster/tracks/titlecase/plan.md', edited);
    const r = await run.ym(['implement', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /titlecase: waiting — .*yardmaster\/tracks\/titlecase\/plan\.md.*commit or stash them, then run `ym merge`/,
    );
    expect(run.repo.read('yardmaster/tracks/titlecase/plan.md')).toBe(edited);
    // The other tracks were not held by it.
    const status = JSON.parse((await run.ym(['status', '--json'])).stdout) as {
      tracks: { id: string; state: string }[];
    };
    expect(Object.fromEntries(status.tracks.map((t) => [t.id, t.state]))).toEqual({
      slugify: 'merged',
      'use-slugify': 'merged',
      titlecase: 'ready',
    });
    // The queue looked at titlecase again as other tracks landed, but a landing the checkout
    // holds costs one check run, not one per look.
    const store = openStateStore(path.join(run.repo.dir, '.git', 'yardmaster'));
    try {
      const looks = store
        .listEvents({ trackId: 'titlecase' })
        .filter(
          (e) =>
            e.type === 'queue.step' && (e.data as { step?: string }).step === 'updating target',
        );
      const checked = store
        .listEvents({ trackId: 'titlecase' })
        .filter(
          (e) => e.type === 'checks.finished' && (e.data as { during?: string }).during === 'merge',
        );
      expect(looks.length).toBeGreaterThan(1);
      expect(checked).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
