// Untracked copies in a user's checkout of the target: a file whose bytes git already holds
// (what lands there, or the track docs yardmaster copied onto the branch) is replaced when the
// checkout follows; anything else holds the landing, and no byte of it is ever lost.
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createGit, type Git } from '../../src/git/git.js';
import { fastForwardCheckout, planCheckouts } from '../../src/merge/checkouts.js';
import { replaceableCopies, withCopiesAside } from '../../src/merge/untracked-copies.js';
import { runProcess } from '../../src/proc/run.js';
import { trackDocsRef } from '../../src/tracks/paths.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

const PLAN = 'yardmaster/tracks/t/plan.md';
const SPEC = 'yardmaster/tracks/t/spec.md';

/**
 * main at `old`; `copied` is the branch commit that added the docs as the checkout had them
 * (named by the track's docs ref), `landed` the target after the track: its plan ticked.
 */
function setup(): { r: TestRepo; git: Git; old: string; landed: string } {
  const r = makeRepo();
  repo = r;
  const old = r.git(['rev-parse', 'HEAD']).trim();
  r.git(['switch', '-q', '-c', 'ym/t']);
  r.write(PLAN, '- [ ] 1.1 do it\n');
  r.write(SPEC, 'spec\n');
  r.git(['add', '-A']);
  r.git(['commit', '-q', '-m', 'chore(yardmaster): add track t']);
  r.git(['update-ref', trackDocsRef('t'), 'HEAD']);
  r.write(PLAN, '- [x] 1.1 do it\n');
  r.write('work.txt', 'work\n');
  const landed = r.commit('work');
  r.git(['switch', '-q', 'main']);
  return { r, git: createGit(runProcess, r.dir), old, landed };
}

const asideDirs = (r: TestRepo) =>
  readdirSync(path.join(r.dir, '.git')).filter((f) => f.startsWith('yardmaster-set-aside'));

describe('untracked copies in the checkout of the target', () => {
  it('yardmaster’s copy and an identical one are replaced when the checkout follows; the docs become tracked', async () => {
    const { r, git, old, landed } = setup();
    r.write(PLAN, '- [ ] 1.1 do it\n'); // as copied (the branch ticked it since)
    r.write(SPEC, 'spec\n'); // as lands
    r.write('notes.txt', 'mine\n'); // elsewhere
    expect((await replaceableCopies(git, r.dir, landed, [PLAN, SPEC, 'notes.txt'])).sort()).toEqual(
      [PLAN, SPEC],
    );
    const plan = await planCheckouts(git, 'main', old, landed);
    expect(plan).toEqual({ update: [r.dir], blocked: null });
    r.git(['update-ref', 'refs/heads/main', landed, old]);
    expect(await fastForwardCheckout(git, r.dir, old, landed)).toBe(true);
    expect(r.read(PLAN)).toBe('- [x] 1.1 do it\n');
    expect(r.git(['status', '--porcelain', '--untracked-files=all']).trim()).toBe('?? notes.txt');
    expect(asideDirs(r)).toEqual([]);
  });

  it('an edited copy holds the landing and stays as it is', async () => {
    const { r, git, old, landed } = setup();
    r.write(PLAN, '- [ ] 1.1 do it\nmy note\n');
    r.write(SPEC, 'spec\n');
    expect(await replaceableCopies(git, r.dir, landed, [PLAN, SPEC])).toEqual([SPEC]);
    expect(await planCheckouts(git, 'main', old, landed)).toEqual({
      update: [r.dir],
      blocked: { path: r.dir, files: [PLAN] },
    });
    // Even if the target moved anyway, the checkout is not updated over it.
    r.git(['update-ref', 'refs/heads/main', landed, old]);
    expect(await fastForwardCheckout(git, r.dir, old, landed)).toBe(false);
    expect(r.read(PLAN)).toBe('- [ ] 1.1 do it\nmy note\n');
    expect(r.read(SPEC)).toBe('spec\n');
    expect(asideDirs(r)).toEqual([]);
  });

  it('a staged copy is a tracked change: it holds the landing', async () => {
    const { r, git, old, landed } = setup();
    r.write(SPEC, 'spec\n');
    r.git(['add', SPEC]);
    expect(await planCheckouts(git, 'main', old, landed)).toEqual({
      update: [r.dir],
      blocked: { path: r.dir, files: [SPEC] },
    });
  });

  it('copies go back when the update fails, and one whose place was taken meanwhile is kept in the git dir', async () => {
    const { r, git, landed } = setup();
    r.write(PLAN, '- [ ] 1.1 do it\n');
    r.write(SPEC, 'spec\n');
    let sawAside = false;
    expect(
      await withCopiesAside(git, r.dir, landed, [PLAN, SPEC], async () => {
        sawAside = !r.exists(PLAN) && !r.exists(SPEC);
        return false;
      }),
    ).toBe(false);
    expect(sawAside).toBe(true);
    expect([r.read(PLAN), r.read(SPEC)]).toEqual(['- [ ] 1.1 do it\n', 'spec\n']);
    expect(asideDirs(r)).toEqual([]);

    // The user writes a new plan.md while the copy is away: theirs stays, the copy is not lost.
    expect(
      await withCopiesAside(git, r.dir, landed, [PLAN], async () => {
        r.write(PLAN, 'written meanwhile\n');
        return false;
      }),
    ).toBe(false);
    expect(r.read(PLAN)).toBe('written meanwhile\n');
    const [kept] = asideDirs(r);
    expect(kept).toBeDefined();
    expect(r.read(path.join('.git', kept!, PLAN))).toBe('- [ ] 1.1 do it\n');
  });
});
