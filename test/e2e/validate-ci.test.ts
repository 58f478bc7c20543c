// `ym validate --ci` as GitHub Actions and GitLab CI run it: a fresh clone with no state.db and
// a detached HEAD, the track found from the CI's branch variables, origin/<target> as the target.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { parseJUnit } from '../helpers/junit.js';
import { makeTrackRepo, type TrackRepo } from '../helpers/track-repo.js';

/** Every CI variable validate reads, unset: the host running these tests may be a CI itself. */
const CLEAN_CI = {
  CI: 'true',
  GITHUB_HEAD_REF: undefined,
  GITHUB_REF_NAME: undefined,
  GITHUB_STEP_SUMMARY: undefined,
  CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: undefined,
  CI_COMMIT_REF_NAME: undefined,
};

let origin: TrackRepo;
let clone: string;
beforeEach(() => {
  origin = makeTrackRepo({ config: { checks: [{ name: 'test', run: 'test -f src/slugify.js' }] } });
  origin.git(['switch', '-q', 'main']);
  // A branch that is no track's, with a commit that has no trailer.
  origin.git(['switch', '-q', '-c', 'feature/other']);
  origin.write('other.txt', 'x\n');
  origin.commit('unrelated work');
  origin.git(['switch', '-q', 'main']);
  clone = path.join(origin.root, 'ci-clone');
  origin.git(['clone', '-q', origin.dir, clone]);
  // What CI checks out: the commit, detached, with no local branch for it.
  origin.git(['checkout', '-q', '--detach', 'origin/ym/slugify'], clone);
  origin.git(['branch', '-q', '-D', 'main'], clone);
});
afterEach(() => origin.cleanup());

const ci = (args: string[], env: Record<string, string | undefined>) =>
  runCli(['--cwd', clone, 'validate', '--ci', ...args], {
    env: { ...origin.env, ...CLEAN_CI, ...env },
  });

describe('validate --ci in a fresh clone', () => {
  it('GitHub: finds the track from GITHUB_HEAD_REF, compares with origin/main, writes no state.db', async () => {
    const res = await ci(['--json'], { GITHUB_HEAD_REF: 'ym/slugify', GITHUB_REF_NAME: '7/merge' });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      track: string;
      target: string;
      mode: string;
      ok: boolean;
      results: { name: string; status: string }[];
    };
    expect(report).toMatchObject({ track: 'slugify', target: 'origin/main', mode: 'ci', ok: true });
    expect(report.results.find((r) => r.name === 'test')?.status).toBe('pass');
    expect(existsSync(path.join(clone, '.git', 'yardmaster', 'state.db'))).toBe(false);
  });

  it('GitHub push builds: GITHUB_REF_NAME', async () => {
    const res = await ci(['--json'], { GITHUB_HEAD_REF: '', GITHUB_REF_NAME: 'ym/slugify' });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ track: 'slugify' });
  });

  it('GitLab: CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, then CI_COMMIT_REF_NAME', async () => {
    const mr = await ci(['--json'], {
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'ym/slugify',
      CI_COMMIT_REF_NAME: 'ym/slugify',
    });
    expect(mr.code, mr.stderr).toBe(0);
    expect(JSON.parse(mr.stdout)).toMatchObject({ track: 'slugify', target: 'origin/main' });
    const push = await ci(['--json'], { CI_COMMIT_REF_NAME: 'ym/slugify' });
    expect(push.code, push.stderr).toBe(0);
  });

  it('falls back to the current branch', async () => {
    origin.git(['switch', '-q', 'ym/slugify'], clone);
    const res = await ci(['--json'], {});
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ track: 'slugify', branch: 'ym/slugify' });
  });

  it('a branch that matches no track is exit 2, listing everything it tried', async () => {
    origin.git(['checkout', '-q', '--detach', 'origin/feature/other'], clone);
    const res = await ci([], { GITHUB_HEAD_REF: 'feature/other', CI_COMMIT_REF_NAME: 'ym/ghost' });
    expect(res.code).toBe(2);
    for (const line of [
      'GITHUB_HEAD_REF=feature/other: not a ym/<id> branch',
      'GITHUB_REF_NAME: not set',
      'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: not set',
      'CI_COMMIT_REF_NAME=ym/ghost: no track "ghost"',
      'the current branch: not set',
      'Yardmaster-Track trailers of origin/main..HEAD: none naming a track',
    ]) {
      expect(res.stderr).toContain(line);
    }
  });

  it('a merge-queue build finds the track from the trailers of the commits it adds', async () => {
    origin.git(['checkout', '-q', '--detach', 'origin/main'], clone);
    origin.git(
      [
        '-c',
        'user.name=CI',
        '-c',
        'user.email=ci@example.invalid',
        'merge',
        '-q',
        '--no-ff',
        '--no-edit',
        'origin/ym/slugify',
      ],
      clone,
    );
    const res = await ci(['--json'], { GITHUB_REF_NAME: 'gh-readonly-queue/main/pr-7-abc' });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ track: 'slugify' });
  });

  it('writes the GitHub step summary and the JUnit report, and fails the job on a failing check', async () => {
    origin.git(['rm', '-q', 'src/slugify.js'], clone);
    origin.git(
      [
        '-c',
        'user.name=CI',
        '-c',
        'user.email=ci@example.invalid',
        'commit',
        '-q',
        '-m',
        'break it\n\nYardmaster-Track: slugify',
      ],
      clone,
    );
    const summary = path.join(origin.root, 'summary.md');
    const junit = path.join(origin.root, 'report.xml');
    const res = await ci(['--junit', junit], {
      GITHUB_HEAD_REF: 'ym/slugify',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/✗ fail\s+test/);
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain('### ❌ Yardmaster: track `slugify`');
    expect(md).toContain('| Check | Status | Duration | Message |');
    expect(md).toMatch(/\| test \| ❌ fail \| \d+ms \| exited with code 1 \|/);
    expect(md).toMatch(/\| plan-complete \| ✅ pass \|/);
    const suite = parseJUnit(junit).suites[0];
    expect(suite).toMatchObject({ tests: 6, failures: 1, errors: 0 });
  });

  it('--ci needs no trust, even without CI=true, and never prompts', async () => {
    const res = await ci([], { GITHUB_HEAD_REF: 'ym/slugify', CI: undefined });
    expect(res.code, res.stderr).toBe(0);
  });
});
