// The GitLab provider through the real @gitbeaker/rest client against the fake forge: every
// scenario of issue 5 that applies to GitLab, provider-level, plus `ym merge --provider gitlab`
// end to end through the built CLI.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitLabProvider } from '../../src/vcs/gitlab.js';
import { makeForgeEnv, type ForgeEnv } from '../helpers/forge-env.js';
import {
  expectNoSecret,
  readyTrackOnForge,
  describeUncommittedDocsLanding,
  trackState,
  type ForgeCliEnv,
} from '../helpers/forge-cli.js';

let env: ForgeEnv;

const provider = (tokens?: NodeJS.ProcessEnv) => GitLabProvider.create(env.deps(tokens));
const msg = (status: number, message: string) => ({ status, body: { message } });

describe('GitLab provider', () => {
  beforeEach(async () => {
    env = await makeForgeEnv();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  it('pushes, opens a marked MR, waits for the head pipeline of that SHA, accepts it and adopts the merge commit', async () => {
    const gl = await provider();
    const before = await gl.syncTarget('main', new AbortController().signal);
    const sha = env.track('one');
    const result = await gl.land(env.request('one', sha));
    expect(result).toMatchObject({
      kind: 'landed',
      url: expect.stringContaining('/group/yard/-/merge_requests/1'),
    });
    if (result.kind !== 'landed') return;
    expect(env.forge.bare.head('main')).toBe(result.targetSha);
    expect(env.main()).toBe(result.targetSha);
    expect(env.repo.git(['rev-parse', `${result.targetSha}^1`]).trim()).toBe(before);
    expect(env.repo.git(['rev-parse', `${result.targetSha}^2`]).trim()).toBe(sha);
    const mr = env.forge.gitlab.mrs[0]!;
    expect(mr).toMatchObject({
      source: 'ym/one',
      target: 'main',
      state: 'merged',
      title: 'Track one (one)',
    });
    expect(mr.description).toContain('<!-- yardmaster:track=one -->');
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(1);
    expect(env.forge.ci.lookCount(sha)).toBeGreaterThanOrEqual(2); // pending once, then success
    expect(env.forge.bare.head('ym/one')).toBeNull(); // shouldRemoveSourceBranch (merge.deleteBranch)
  });

  it('waits while detailed_merge_status is "checking", then accepts', async () => {
    env.forge.gitlab.mergeStatusQueue = ['checking', 'checking', 'unchecked'];
    const gl = await provider();
    const result = await gl.land(env.request('one', env.track('one')));
    expect(result.kind).toBe('landed');
    expect(env.forge.gitlab.mergeStatusQueue).toEqual([]);
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(1);
  });

  it('a pipeline pending then failing is checks-failed, with its link', async () => {
    env.forge.ci.checks = [{ name: 'test', steps: ['queued', 'in_progress', 'failure'] }];
    const gl = await provider();
    const result = await gl.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'checks-failed',
      detail: expect.stringMatching(/GitLab pipeline #301 failed on [0-9a-f]{12} \(http/),
    });
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(0);
  });

  it('a pipeline that never starts fails fast after checkStartTimeoutSec', async () => {
    env.forge.ci.checks = [{ name: 'test', steps: ['absent'] }];
    const gl = await provider();
    const started = Date.now();
    const result = await gl.land(env.request('one', env.track('one')));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({
      kind: 'checks-failed',
      detail: expect.stringMatching(/no pipeline started for [0-9a-f]{12} within 1\.5 s/),
    });
  });

  it('the target moved after CI passed: target-moved, accept never called', async () => {
    env.forge.ci.onPassed = () =>
      env.forge.bare.commitOnBranch('main', 'other.txt', 'someone else\n', 'direct push');
    const gl = await provider();
    const result = await gl.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'target-moved',
      detail: expect.stringContaining('main is now at'),
    });
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(0);
  });

  it('405 on accept with nothing moved is rejected with the reason (as marge-bot does)', async () => {
    env.forge.inject('gitlab:mrs.accept', msg(405, '405 Method Not Allowed'));
    const gl = await provider();
    const result = await gl.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'rejected',
      detail: expect.stringContaining('GitLab refused to merge !1 (405): 405 Method Not Allowed'),
    });
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(1);
  });

  it('406 on accept after the target moved is target-moved; the next land merges', async () => {
    env.forge.inject('gitlab:mrs.accept', {
      ...msg(406, 'Branch cannot be merged'),
      before: () => env.forge.bare.commitOnBranch('main', 'other.txt', 'x\n', 'direct push'),
    });
    const gl = await provider();
    const sha = env.track('one');
    const first = await gl.land(env.request('one', sha));
    expect(first).toMatchObject({ kind: 'target-moved', detail: expect.stringContaining('406') });
    await gl.syncTarget('main', new AbortController().signal);
    env.repo.git(['rebase', '-q', 'main', 'ym/one']);
    const rebased = env.repo.git(['rev-parse', 'ym/one']).trim();
    env.repo.git(['switch', '-q', 'main']);
    const second = await gl.land(env.request('one', rebased));
    expect(second.kind).toBe('landed');
    expect(env.forge.bare.git(['ls-tree', '--name-only', 'main'])).toMatch(
      /one\.txt[\s\S]*other\.txt|other\.txt[\s\S]*one\.txt/,
    );
  });

  it('406 with nothing moved is rejected', async () => {
    env.forge.inject('gitlab:mrs.accept', msg(406, 'Branch cannot be merged'));
    const gl = await provider();
    expect(await gl.land(env.request('one', env.track('one')))).toMatchObject({
      kind: 'rejected',
      detail: expect.stringContaining('Branch cannot be merged'),
    });
  });

  it('409 (SHA does not match the source head) is target-moved', async () => {
    env.forge.inject(
      'gitlab:mrs.accept',
      msg(409, 'SHA does not match HEAD of source branch: 0123'),
    );
    const gl = await provider();
    expect(await gl.land(env.request('one', env.track('one')))).toMatchObject({
      kind: 'target-moved',
      detail: expect.stringContaining('SHA does not match'),
    });
    expect(env.forge.calls('gitlab:mrs.accept')).toHaveLength(1);
  });

  it("422 is rejected with GitLab's message", async () => {
    env.forge.inject('gitlab:mrs.accept', msg(422, 'Squashing is not allowed for this project'));
    const gl = await provider();
    expect(await gl.land(env.request('one', env.track('one')))).toMatchObject({
      kind: 'rejected',
      detail: expect.stringContaining('(422): Squashing is not allowed'),
    });
  });

  it('429 without Retry-After backs off exponentially, then succeeds; bounded', async () => {
    env.forge.inject('gitlab:mrs.show', msg(429, 'Retry later'), 3);
    const gl = await provider();
    expect((await gl.land(env.request('one', env.track('one')))).kind).toBe('landed');
    const shows = env.forge.calls('gitlab:mrs.show');
    expect(shows.slice(0, 4).map((c) => c.status)).toEqual([429, 429, 429, 200]);
    const gaps = [1, 2, 3].map((i) => shows[i]!.at - shows[i - 1]!.at);
    // base 100 ms in tests, doubling, with jitter in [0.5, 1]: >= 50, 100, 200 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(
      env.reports.some((r) => r.includes('GitLab answered 429') && r.includes('(backoff)')),
    ).toBe(true);
    env.forge.inject('gitlab:mrs.all', msg(429, 'Retry later'), 20);
    const err = await gl.land(env.request('two', env.track('two'))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 1,
      message: expect.stringContaining('GitLab kept answering 429'),
    });
    expect(env.forge.calls('gitlab:mrs.all').filter((c) => c.status === 429)).toHaveLength(6); // 1 + 5 retries
  });

  it('429 with Retry-After waits that long', async () => {
    env.forge.inject('gitlab:mrs.create', {
      ...msg(429, 'Retry later'),
      headers: { 'retry-after': '1' },
    });
    const gl = await provider();
    expect((await gl.land(env.request('one', env.track('one')))).kind).toBe('landed');
    const creates = env.forge.calls('gitlab:mrs.create');
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('deleting a branch that is already gone (404) is fine', async () => {
    const gl = await provider();
    expect((await gl.land(env.request('one', env.track('one')))).kind).toBe('landed');
    await gl.deleteRemoteBranch('ym/one');
    expect(env.forge.calls('gitlab:branches.remove').map((c) => c.status)).toEqual([404]);
  });

  it('squash: a squash commit keeping the trailers, under a merge commit', async () => {
    const gl = await provider();
    const result = await gl.land(env.request('one', env.track('one'), { strategy: 'squash' }));
    expect(result.kind).toBe('landed');
    const mr = env.forge.gitlab.mrs[0]!;
    expect(mr.squashCommitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(env.forge.bare.git(['log', '-1', '--format=%B', mr.squashCommitSha!])).toContain(
      'Yardmaster-Track: one',
    );
  });

  it('writes a note on the MR when a track fails', async () => {
    env.forge.ci.checks = [{ name: 'test', steps: ['failure'] }];
    const gl = await provider();
    await gl.land(env.request('one', env.track('one')));
    await gl.reportFailure('one', 'ym/one', 'Conflict: conflicts with main in a.txt');
    expect(env.forge.gitlab.notes).toEqual([
      { iid: 1, body: expect.stringContaining('Conflict: conflicts with main in a.txt') },
    ]);
  });

  it('a missing GITLAB_TOKEN is a usage error naming the variable', async () => {
    await expect(provider({})).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('GITLAB_TOKEN'),
    });
    expect(env.forge.requests).toHaveLength(0);
  });

  it('a wrong token: a clear error naming GITLAB_TOKEN, never the token', async () => {
    const gl = await provider({ GITLAB_TOKEN: 'wrong-gitlab-token-987' });
    const err = await gl.land(env.request('one', env.track('one'))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(
        'GitLab rejected the token in GITLAB_TOKEN (401: 401 Unauthorized)',
      ),
    });
    expect(`${(err as Error).message} ${(err as Error).stack ?? ''}`).not.toContain(
      'wrong-gitlab-token-987',
    );
    expect(env.forge.calls('gitlab:mrs.all').map((c) => c.status)).toEqual([401]);
  });
});

describe('ym merge --provider gitlab (built CLI)', () => {
  const MARKER = 'glpat-MARKER-a1b2c3d4e5';
  let cli: ForgeCliEnv;
  beforeEach(async () => {
    cli = await readyTrackOnForge(MARKER);
  });
  afterEach(async () => {
    await cli.cleanup();
  });

  it('merges the ready track through a merge request; the token never shows up anywhere', async () => {
    cli.forge.gitlab.mergeStatusQueue = ['checking'];
    const r = await cli.ym(['--debug', 'merge', '--provider', 'gitlab', '--yes', '--json'], {
      GITLAB_TOKEN: MARKER,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      results: { id: string; outcome: string; mergedSha: string }[];
      targetSha: string;
    };
    const main = cli.forge.bare.head('main')!;
    expect(out.results).toEqual([
      expect.objectContaining({ id: 'greet', outcome: 'merged', mergedSha: main }),
    ]);
    expect(out.targetSha).toBe(main);
    expect(r.stderr).toMatch(
      /merge request !1: http:\/\/127\.0\.0\.1:\d+\/gitlab\/group\/yard\/-\/merge_requests\/1/,
    );
    expect(await trackState(cli, 'greet')).toMatchObject({ state: 'merged' });
    expect(cli.forge.gitlab.mrs[0]).toMatchObject({
      source: 'ym/greet',
      state: 'merged',
      mergeCommitSha: main,
    });
    expect(cli.repo.git(['rev-parse', 'main']).trim()).toBe(main);
    expect(cli.forge.bare.head('ym/greet')).toBeNull();
    expectNoSecret(MARKER, cli.repo, [r]);
  });

  it('a wrong GITLAB_TOKEN: exit 2, a clear error naming the variable, the token never printed', async () => {
    const wrong = 'glpat-WRONG-0987654321';
    const r = await cli.ym(['--debug', 'merge', '--provider', 'gitlab', '--yes'], {
      GITLAB_TOKEN: wrong,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GitLab rejected the token in GITLAB_TOKEN');
    expectNoSecret(wrong, cli.repo, [r]);
    expect(await trackState(cli, 'greet')).toMatchObject({ state: 'ready' });
  });
});

describeUncommittedDocsLanding('gitlab', 'glpat-MARKER-docs-71e2');
