// revert when things are in the way: conflicts (finished with --continue, by yardmaster or by the
// user's own commit, or dropped with --abort), failing checks, and every refusal, each leaving
// the target and the user's checkout exactly as they were.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { A1, markers, mergedSlug, trailers, type RevertFixture } from '../helpers/revert.js';

let f: RevertFixture | undefined;
afterEach(() => f?.cleanup());

const wtOf = (fx: RevertFixture) => path.join(fx.repo.root, 'repo.yardmaster', '.revert-slug');

describe('revert conflicts', () => {
  it('stops with the commands to finish; --continue lands the resolution', async () => {
    f = await mergedSlug({ strategy: 'rebase' });
    const fx = f;
    fx.repo.write('src/b.js', 'export const b = "bee";\nexport const more = true;\n');
    fx.repo.commit('user: extend b.js');
    const before = fx.mainSha();
    const r = await fx.ym(['revert', 'slug:task1.2', '--yes']);
    expect(r.code, r.stderr).toBe(1);
    const wt = wtOf(fx);
    expect(r.stdout).toContain('conflicted in: src/b.js');
    expect(r.stdout).toContain(`The revert waits in ${wt}; main is unchanged.`);
    expect(r.stdout).toContain(`git -C ${wt} add src/b.js`);
    expect(r.stdout).toContain('ym revert slug:task1.2 --continue');
    expect(r.stdout).toContain('ym revert slug:task1.2 --abort');
    expect(fx.mainSha()).toBe(before);
    expect(fx.git(['status', '--porcelain'])).toBe('');
    // A second revert of the track waits for this one to be finished or dropped.
    const busy = await fx.ym(['revert', 'slug', '--yes']);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('A revert of slug:task1.2 is not finished');
    // Continuing before resolving is refused, and changes nothing.
    const early = await fx.ym(['revert', 'slug:task1.2', '--continue']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('still has unresolved conflicts: src/b.js');
    fx.git(['-C', wt, 'rm', '-q', 'src/b.js']);
    const done = await fx.ym(['revert', 'slug:task1.2', '--continue']);
    expect(done.code, done.stderr).toBe(0);
    expect(fx.onMain('src/b.js')).toBeNull();
    expect(markers(fx.planOnMain())['1.2']).toBe(' ');
    expect(trailers(fx, 'main~1')['Yardmaster-Track']).toEqual(['slug']);
    expect(fx.repo.exists('src/b.js')).toBe(false);
    expect(fx.revertWorktrees()).toEqual([]);
    expect(existsSync(path.join(fx.stateDir, 'reverts', 'slug.json'))).toBe(false);
  });

  it('takes a resolution the user committed with git commit, then reverts the rest', async () => {
    f = await mergedSlug({ strategy: 'merge' });
    const fx = f;
    fx.repo.write('src/a.js', 'export const a = 1;\nexport const a2 = 22;\n');
    fx.repo.commit('user: change a2');
    const r = await fx.ym(['revert', 'slug:phase2', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('conflicted in: src/a.js');
    const wt = wtOf(fx);
    writeFileSync(path.join(wt, 'src/a.js'), A1);
    fx.git(['-C', wt, 'add', 'src/a.js']);
    fx.git(['-C', wt, 'commit', '-q', '--no-edit']);
    const done = await fx.ym(['revert', 'slug:phase2', '--continue', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ applied: true, spec: 'slug:phase2' });
    expect(fx.onMain('src/a.js')).toBe(A1);
    expect(fx.onMain('src/c.js')).toBeNull();
    const reverts = fx
      .git(['log', '--format=%(trailers:key=Yardmaster-Revert,valueonly)', '-3', 'main'])
      .split('\n')
      .filter(Boolean);
    expect(reverts).toHaveLength(2);
  });

  it('--abort drops a stopped revert and leaves everything as it was', async () => {
    f = await mergedSlug({ strategy: 'squash' });
    const fx = f;
    fx.repo.write('src/c.js', 'export const c = "see";\n');
    fx.repo.commit('user: change c.js');
    const before = fx.mainSha();
    expect((await fx.ym(['revert', 'slug:task2.2', '--yes'])).code).toBe(1);
    expect(fx.revertWorktrees()).toEqual(['.revert-slug']);
    const a = await fx.ym(['revert', 'slug:task2.2', '--abort']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('main was not changed');
    expect(fx.revertWorktrees()).toEqual([]);
    expect(fx.git(['worktree', 'list'])).not.toContain('.revert-slug');
    expect(fx.mainSha()).toBe(before);
    const nothing = await fx.ym(['revert', 'slug:task2.2', '--continue']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('no stopped revert of slug');
  });

  it('fails when the checks fail on the revert head; the target is unchanged', async () => {
    f = await mergedSlug({
      strategy: 'rebase',
      config: { checks: [{ name: 'needs-b', run: ['test', '-f', 'src/b.js'] }] },
    });
    const fx = f;
    const before = fx.mainSha();
    const r = await fx.ym(['revert', 'slug:task1.2', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The checks failed on the revert of slug:task1.2');
    expect(r.stderr).toContain('needs-b');
    expect(fx.mainSha()).toBe(before);
    expect(fx.repo.exists('src/b.js')).toBe(true);
    // Kept for a fix and --continue, or dropped.
    expect(fx.revertWorktrees()).toEqual(['.revert-slug']);
    expect((await fx.ym(['revert', 'slug:task1.2', '--abort'])).code).toBe(0);
    expect(fx.revertWorktrees()).toEqual([]);
  });
});

describe('revert refusals', () => {
  it('refuses (exit 2) and changes nothing', async () => {
    f = await mergedSlug({ strategy: 'rebase', others: [{ id: 'other' }] });
    const fx = f;
    fx.git(['branch', 'side', 'main']);
    fx.repo.write('README.md', '# main side\n');
    fx.repo.commit('user: readme on main');
    fx.git(['switch', '-q', 'side']);
    fx.repo.write('README.md', '# other side\n');
    fx.repo.commit('user: readme on side');
    fx.git(['switch', '-q', 'main']);
    const before = fx.mainSha();
    const refuse = async (args: string[], message: RegExp | string) => {
      const r = await fx.ym(['revert', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(fx.mainSha()).toBe(before);
      expect(fx.revertWorktrees()).toEqual([]);
      return r;
    };
    await refuse(['ghost', '--yes'], 'Unknown track "ghost"');
    await refuse(['slug:phaseX', '--yes'], /neither phase<N> nor task<X\.Y>/);
    await refuse(['Slug', '--yes'], /Invalid track id/);
    await refuse(['slug:phase9', '--yes'], /Track slug has no phase 9\.\n\s+Its phases: 1, 2\./);
    await refuse(['slug:task1.9', '--yes'], /Track slug has no task 1\.9/);
    await refuse(['other', '--yes'], 'Track other is planned, not merged');
    await refuse(
      ['slug', '--provider', 'github', '--yes'],
      /needs a "github" section in yardmaster.json/,
    );
    await refuse(['slug:task1.2', '--continue', '--abort'], /cannot be used together/);
    // Without a terminal and without --yes: the plan, then a hint; never a prompt.
    const plain = await refuse(['slug:task1.2'], /Run it again with --yes/);
    expect(plain.stdout).toContain('revert 1 commit, newest first');
    expect(plain.stdout).toContain('src/b.js');
    const json = await refuse(['slug:task1.2', '--json'], /Not applied/);
    expect(JSON.parse(json.stdout)).toMatchObject({
      applied: false,
      plan: { spec: 'slug:task1.2', files: ['src/b.js'], tasks: ['1.2'] },
    });
    // A dirty checkout of the target.
    fx.repo.write('README.md', '# edited, not committed\n');
    await refuse(['slug', '--yes'], /has main checked out with uncommitted changes \(README\.md\)/);
    fx.git(['checkout', '--', 'README.md']);
    // A rebase, then a merge, in progress in the user's checkout.
    expect(fx.gitFails(['rebase', 'side'])).toBe(true);
    await refuse(['slug', '--yes'], /A rebase is in progress in /);
    fx.git(['rebase', '--abort']);
    expect(fx.gitFails(['merge', 'side'])).toBe(true);
    await refuse(['slug', '--yes'], /A merge is in progress in /);
    fx.git(['merge', '--abort']);
    expect(fx.git(['status', '--porcelain'])).toBe('');
    // With nothing in the way, it works.
    expect((await fx.ym(['revert', 'slug:task1.2', '--yes'])).code).toBe(0);
  });
});
