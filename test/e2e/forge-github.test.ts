// The GitHub provider through the real @octokit/rest client against the fake forge: every
// scenario of issue 5 that applies to GitHub, provider-level, plus `ym merge --provider github`
// end to end through the built CLI. The fake's answers are checked against GitHub's OpenAPI.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubProvider } from '../../src/vcs/github.js';
import { makeForgeEnv, type ForgeEnv } from '../helpers/forge-env.js';
import {
  expectNoSecret,
  readyTrackOnForge,
  describeUncommittedDocsLanding,
  trackState,
  type ForgeCliEnv,
} from '../helpers/forge-cli.js';

let env: ForgeEnv;

const provider = (tokens?: NodeJS.ProcessEnv) => GitHubProvider.create(env.deps(tokens));

describe('GitHub provider', () => {
  beforeEach(async () => {
    env = await makeForgeEnv();
  });
  afterEach(async () => {
    const violations = env.forge.violations;
    await env.cleanup();
    expect(violations, 'the fake sent answers GitHub never sends').toEqual([]);
  });

  it('pushes, opens a marked PR, waits for the required check on that SHA, merges it and adopts the merge commit', async () => {
    const gh = await provider();
    const before = await gh.syncTarget('main', new AbortController().signal);
    const sha = env.track('one');
    const result = await gh.land(env.request('one', sha));
    expect(result).toMatchObject({ kind: 'landed' });
    if (result.kind !== 'landed') return;
    expect(env.forge.bare.head('main')).toBe(result.targetSha);
    expect(env.main()).toBe(result.targetSha);
    expect(env.repo.git(['rev-parse', `${result.targetSha}^{tree}`])).toBe(
      env.repo.git(['rev-parse', `${sha}^{tree}`]),
    );
    expect(env.repo.git(['rev-parse', `${result.targetSha}~1`]).trim()).toBe(before);
    const pr = env.forge.github.pulls[0]!;
    expect(pr).toMatchObject({
      head: 'ym/one',
      base: 'main',
      merged: true,
      title: 'Track one (one)',
    });
    expect(pr.body).toContain('<!-- yardmaster:track=one -->');
    expect(pr.body).toContain('Spec of one.');
    const merge = env.forge.calls('pulls/merge');
    expect(merge).toHaveLength(1);
    // The check was pending on the first look: at least two looks before the merge.
    expect(env.forge.ci.lookCount(sha)).toBeGreaterThanOrEqual(2);
    expect(env.repo.read('one.txt')).toBe('one\n'); // the user's checkout followed
  });

  it('waits while GitHub says mergeable: null, then merges', async () => {
    env.forge.github.mergeableNullCount = 3;
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result.kind).toBe('landed');
    expect(env.forge.calls('pulls/get').length).toBeGreaterThanOrEqual(4);
    expect(env.forge.calls('pulls/merge')).toHaveLength(1);
  });

  it('a 405 from pulls.merge is target-moved (not retried); the next land merges', async () => {
    env.forge.inject('pulls/merge', {
      status: 405,
      body: {
        message: 'Base branch was modified. Review and try the merge again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const gh = await provider();
    const sha = env.track('one');
    const first = await gh.land(env.request('one', sha));
    expect(first).toMatchObject({ kind: 'target-moved', detail: expect.stringContaining('405') });
    expect(env.forge.calls('pulls/merge')).toHaveLength(1); // plugin-retry left it alone
    expect(env.forge.bare.head('main')).toBe(env.main());
    const second = await gh.land(env.request('one', sha));
    expect(second.kind).toBe('landed');
    expect(env.forge.calls('pulls/merge')).toHaveLength(2);
    expect(env.forge.calls('pulls/create')).toHaveLength(1); // found the open PR again
  });

  it('a 409 (head modified) from pulls.merge is target-moved, never retried blindly', async () => {
    env.forge.inject('pulls/merge', {
      status: 409,
      body: {
        message: 'Head branch was modified. Review and try the merge again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'target-moved',
      detail: expect.stringContaining('Head branch was modified'),
    });
    expect(env.forge.calls('pulls/merge')).toHaveLength(1);
    expect(env.forge.github.pulls[0]!.merged).toBe(false);
  });

  it('the target moved after CI passed: target-moved, pulls.merge never called', async () => {
    env.forge.ci.onPassed = () =>
      env.forge.bare.commitOnBranch('main', 'other.txt', 'someone else\n', 'direct push');
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'target-moved',
      detail: expect.stringContaining('main is now at'),
    });
    expect(env.forge.calls('pulls/merge')).toHaveLength(0);
  });

  it('checks pending then failing: checks-failed naming the check and its link', async () => {
    env.forge.ci.checks = [{ name: 'test', steps: ['queued', 'in_progress', 'failure'] }];
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({ kind: 'checks-failed' });
    if (result.kind === 'checks-failed')
      expect(result.detail).toMatch(
        /"test" concluded failure \(http:\/\/127\.0\.0\.1:\d+\/octo\/yard\/runs\/500\)/,
      );
    expect(env.forge.calls('pulls/merge')).toHaveLength(0);
  });

  it('a required check that never starts fails fast after checkStartTimeoutSec, naming it', async () => {
    env.forge.github.protection = { contexts: ['test', 'deploy-preview'] };
    const gh = await provider();
    const started = Date.now();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(Date.now() - started).toBeLessThan(10_000); // not the 15 s overall timeout
    expect(result).toMatchObject({ kind: 'checks-failed' });
    if (result.kind === 'checks-failed')
      expect(result.detail).toMatch(
        /required check "deploy-preview" did not start on [0-9a-f]{12} within 1\.5 s \(required by branch protection\)/,
      );
  });

  it('reads commit statuses as well as check runs, and rulesets as well as protection', async () => {
    env.forge.github.protection = 403;
    env.forge.github.rules = ['ci/jenkins'];
    env.forge.ci.checks = [
      { name: 'ci/jenkins', kind: 'status', steps: ['queued', 'queued', 'success'] },
    ];
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result.kind).toBe('landed');
    expect(
      env.reports.some((r) => r.includes('waiting for ci/jenkins') && r.includes('from rulesets')),
    ).toBe(true);
  });

  it('without readable protection or rules (403/404), waits for the names of `checks`', async () => {
    await env.cleanup();
    env = await makeForgeEnv({ checks: [{ name: 'unit', run: 'true' }] });
    env.forge.github.protection = 404;
    env.forge.github.rules = 403;
    env.forge.ci.checks = [{ name: 'unit', steps: ['in_progress', 'failure'] }];
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result).toMatchObject({
      kind: 'checks-failed',
      detail: expect.stringContaining('"unit"'),
    });
  });

  it('honours 403 secondary rate limit with retry-after, then succeeds', async () => {
    env.forge.inject('pulls/get', {
      status: 403,
      headers: { 'retry-after': '1' },
      body: {
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result.kind).toBe('landed');
    const gets = env.forge.calls('pulls/get');
    expect(gets[0]!.status).toBe(403);
    expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(950);
    expect(
      env.reports.some((r) => r.includes('secondary rate limit') && r.includes('retrying in 1 s')),
    ).toBe(true);
  });

  it('honours the primary rate limit (x-ratelimit-remaining: 0 until x-ratelimit-reset)', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    env.forge.inject('pulls/list', {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      body: {
        message: 'API rate limit exceeded for user.',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const gh = await provider();
    expect((await gh.land(env.request('one', env.track('one')))).kind).toBe('landed');
    const lists = env.forge.calls('pulls/list');
    expect(lists[1]!.at).toBeGreaterThanOrEqual(Number(reset) * 1000); // not before the reset
    expect(env.reports.some((r) => r.startsWith('GitHub rate limit on GET'))).toBe(true);
  });

  it('a pull request GitHub refuses to open (422) is rejected with its message', async () => {
    env.forge.inject('pulls/create', {
      status: 422,
      body: {
        message: 'Validation Failed',
        documentation_url: 'https://docs.github.com/rest',
        errors: [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: 'No commits between main and ym/one',
          },
        ],
      },
    });
    const gh = await provider();
    expect(await gh.land(env.request('one', env.track('one')))).toMatchObject({
      kind: 'rejected',
      detail: expect.stringContaining('Validation Failed (No commits between main and ym/one)'),
    });
  });

  it('retries a 429 without Retry-After (plugin-retry), a bounded number of times', async () => {
    env.forge.inject(
      'checks/list-for-ref',
      {
        status: 429,
        body: { message: 'Too many requests', documentation_url: 'https://docs.github.com/rest' },
      },
      2,
    );
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one')));
    expect(result.kind).toBe('landed');
    const looks = env.forge.calls('checks/list-for-ref');
    expect(looks.slice(0, 3).map((c) => c.status)).toEqual([429, 429, 200]);
    expect(looks[1]!.at - looks[0]!.at).toBeGreaterThanOrEqual(90); // one retry unit (100 ms in tests)
    // Still 429 after the retries: the track stays ready, with a clear error.
    env.forge.inject(
      'checks/list-for-ref',
      {
        status: 429,
        body: { message: 'Too many requests', documentation_url: 'https://docs.github.com/rest' },
      },
      10,
    );
    const before = env.forge.calls('checks/list-for-ref').length;
    const err = await gh.land(env.request('two', env.track('two'))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 1,
      message: expect.stringContaining("GitHub's rate limit stopped the merge"),
    });
    expect(env.forge.calls('checks/list-for-ref').length - before).toBe(4); // 1 + 3 retries
  });

  it('deleting a branch that is already gone (422) is fine', async () => {
    env.forge.github.deleteHeadOnMerge = true;
    const gh = await provider();
    expect((await gh.land(env.request('one', env.track('one')))).kind).toBe('landed');
    expect(env.forge.bare.head('ym/one')).toBeNull();
    await gh.deleteRemoteBranch('ym/one');
    expect(env.forge.calls('git/delete-ref').map((c) => c.status)).toEqual([422]);
  });

  it('deletes the remote branch after landing', async () => {
    const gh = await provider();
    expect((await gh.land(env.request('one', env.track('one')))).kind).toBe('landed');
    await gh.deleteRemoteBranch('ym/one');
    expect(env.forge.bare.head('ym/one')).toBeNull();
  });

  it('pushes a rebased head with --force-with-lease and refuses when someone else pushed', async () => {
    const gh = await provider();
    env.forge.ci.checks = [{ name: 'test', steps: ['failure'] }];
    const sha1 = env.track('one');
    expect((await gh.land(env.request('one', sha1))).kind).toBe('checks-failed');
    env.repo.git(['switch', '-q', 'ym/one']);
    env.repo.write('one.txt', 'fixed\n');
    env.repo.git(['commit', '-q', '-am', 'fix', '--amend']);
    const sha2 = env.repo.git(['rev-parse', 'HEAD']).trim();
    env.repo.git(['switch', '-q', 'main']);
    env.forge.ci.checks = [{ name: 'test', steps: ['success'] }];
    expect((await gh.land(env.request('one', sha2))).kind).toBe('landed');
    expect(env.forge.github.pulls).toHaveLength(1);
    // Someone else pushes to the next track's branch behind our back.
    const gh2 = await provider();
    const sha3 = env.track('two');
    // Our own first push of ym/two (its checks fail, so it does not land).
    env.forge.ci.checks = [{ name: 'test', steps: ['failure'] }];
    expect((await gh2.land(env.request('two', sha3))).kind).toBe('checks-failed');
    expect(env.forge.bare.head('ym/two')).toBe(sha3);
    env.forge.ci.checks = [{ name: 'test', steps: ['success'] }];
    env.forge.bare.commitOnBranch('ym/two', 'intruder.txt', 'x\n', 'not yours');
    env.repo.git(['switch', '-q', 'ym/two']);
    env.repo.git(['commit', '-q', '--amend', '-m', 'feat: two, reworded']);
    const sha4 = env.repo.git(['rev-parse', 'HEAD']).trim();
    env.repo.git(['switch', '-q', 'main']);
    expect(await gh2.land(env.request('two', sha4))).toMatchObject({
      kind: 'rejected',
      detail: expect.stringContaining('someone else changed that branch'),
    });
  });

  it('squash keeps the validated commit message and its trailers', async () => {
    const gh = await provider();
    const result = await gh.land(env.request('one', env.track('one'), { strategy: 'squash' }));
    expect(result.kind).toBe('landed');
    expect(env.forge.bare.git(['log', '-1', '--format=%B', 'main'])).toContain(
      'Yardmaster-Track: one',
    );
    expect(env.forge.bare.git(['rev-list', '--count', 'main'])).toBe('2');
  });

  it('comments on the PR when a track fails', async () => {
    env.forge.ci.checks = [{ name: 'test', steps: ['failure'] }];
    const gh = await provider();
    await gh.land(env.request('one', env.track('one')));
    await gh.reportFailure('one', 'ym/one', 'Failed: checks failed on the merged result');
    expect(env.forge.github.comments).toEqual([
      { issue: 1, body: expect.stringContaining('Failed: checks failed on the merged result') },
    ]);
    expect(env.forge.github.comments[0]!.body).toContain('<!-- yardmaster:track=one -->');
  });

  it('a missing GITHUB_TOKEN is a usage error naming the variable', async () => {
    await expect(provider({})).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('GITHUB_TOKEN'),
    });
    expect(env.forge.requests).toHaveLength(0);
  });

  it('a wrong token: a clear error naming GITHUB_TOKEN, never the token', async () => {
    const gh = await provider({ GITHUB_TOKEN: 'wrong-token-value-123' });
    const err = await gh.land(env.request('one', env.track('one'))).catch((e: unknown) => e);
    expect(err).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(
        'GitHub rejected the token in GITHUB_TOKEN (401: Bad credentials)',
      ),
    });
    const text = `${(err as Error).message} ${(err as { hint?: string }).hint ?? ''} ${(err as Error).stack ?? ''}`;
    expect(text).not.toContain('wrong-token-value-123');
    expect(env.forge.calls('pulls/list').map((c) => c.status)).toEqual([401]); // not retried
  });
});

describe('ym merge --provider github (built CLI)', () => {
  const MARKER = 'ghp_MARKER_0f9e8d7c6b5a';
  let cli: ForgeCliEnv;
  beforeEach(async () => {
    cli = await readyTrackOnForge(MARKER);
  });
  afterEach(async () => {
    expect(cli.forge.violations).toEqual([]);
    await cli.cleanup();
  });

  it('merges the ready track through a pull request; the token never shows up anywhere', async () => {
    const r = await cli.ym(['--debug', 'merge', '--provider', 'github', '--yes'], {
      GITHUB_TOKEN: MARKER,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('1/1 merged into main');
    expect(r.stdout).toMatch(/pull request #1: http:\/\/127\.0\.0\.1:\d+\/octo\/yard\/pull\/1/);
    expect(await trackState(cli, 'greet')).toMatchObject({ state: 'merged' });
    const main = cli.forge.bare.head('main')!;
    expect(cli.repo.git(['rev-parse', 'main']).trim()).toBe(main);
    expect(cli.forge.github.pulls[0]).toMatchObject({
      head: 'ym/greet',
      merged: true,
      mergeCommitSha: main,
    });
    expect(cli.forge.bare.head('ym/greet')).toBeNull(); // merge.deleteBranch
    expect(cli.forge.bare.git(['show', 'main:yardmaster/tracks/greet/plan.md'])).toContain('- [x]');
    expectNoSecret(MARKER, cli.repo, [r]);
  });

  it('the target moved after CI passed: the queue rebuilds on the new target and merges that', async () => {
    cli.forge.ci.onPassed = () =>
      cli.forge.bare.commitOnBranch('main', 'other.txt', 'pushed by someone else\n', 'direct push');
    const r = await cli.ym(['merge', '--provider', 'github', '--yes'], { GITHUB_TOKEN: MARKER });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('target moved');
    const log = cli.forge.bare.git(['log', '--format=%s', 'main']).split('\n');
    expect(log.indexOf('direct push')).toBeGreaterThan(0); // the track landed on top of it
    expect(cli.forge.calls('pulls/merge')).toHaveLength(1);
    expect(cli.forge.bare.git(['show', 'main:other.txt'])).toBe('pushed by someone else');
  });

  it('a wrong GITHUB_TOKEN: exit 2, a clear error naming the variable, the token never printed', async () => {
    const wrong = 'ghp_WRONG_TOKEN_1234567890';
    const r = await cli.ym(['--debug', 'merge', '--provider', 'github', '--yes'], {
      GITHUB_TOKEN: wrong,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GitHub rejected the token in GITHUB_TOKEN');
    expectNoSecret(wrong, cli.repo, [r]);
    expect(await trackState(cli, 'greet')).toMatchObject({ state: 'ready' });
    const missing = await cli.ym(['merge', '--provider', 'github', '--yes'], {
      GITHUB_TOKEN: undefined,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('needs a token in the GITHUB_TOKEN environment variable');
  });
});

describeUncommittedDocsLanding('github', 'ghp_MARKER_docs_71e2');
