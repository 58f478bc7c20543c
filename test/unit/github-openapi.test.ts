// The fake forge's OpenAPI check must be able to fail: a response missing a required field, or
// with a wrong type, is caught; the fake's own objects fit GitHub's description.
import { describe, expect, it } from 'vitest';
import { checkResponse, githubOpenApi, validate } from '../helpers/fake-forge/openapi.js';
import { checkRun, pullRequest, type PullState } from '../helpers/fake-forge/github-objects.js';

const info = { api: 'http://127.0.0.1:1', owner: 'octo', repo: 'yard', defaultBranch: 'main' };
const pr: PullState = {
  number: 1,
  title: 't',
  body: 'b',
  head: 'ym/x',
  headSha: 'a'.repeat(40),
  base: 'main',
  baseSha: 'b'.repeat(40),
  state: 'open',
  merged: false,
  mergeCommitSha: null,
  mergeable: true,
};

describe('GitHub OpenAPI subset', () => {
  it('holds the operations the providers use, from @octokit/openapi', () => {
    const spec = githubOpenApi();
    expect(Object.keys(spec.operations).sort()).toEqual([
      'checks/list-for-ref',
      'git/delete-ref',
      'issues/create-comment',
      'pulls/create',
      'pulls/get',
      'pulls/list',
      'pulls/merge',
      'pulls/update',
      'repos/get-branch-protection',
      'repos/get-branch-rules',
      'repos/get-combined-status-for-ref',
    ]);
    expect(spec.operations['pulls/merge']!.path).toBe(
      '/repos/{owner}/{repo}/pulls/{pull_number}/merge',
    );
  });

  it("accepts the fake's pull request", () => {
    expect(checkResponse('pulls/get', 200, pullRequest(info, pr, true))).toEqual([]);
    expect(checkResponse('pulls/list', 200, [pullRequest(info, pr, false)])).toEqual([]);
  });

  it('catches a missing required field, deep inside', () => {
    const full = pullRequest(info, pr, true);
    delete full.mergeable_state;
    expect(checkResponse('pulls/get', 200, full)).toContainEqual({
      path: '$.mergeable_state',
      message: 'is required but missing',
    });
    const head = structuredClone(pullRequest(info, pr, true)) as {
      head: { repo: Record<string, unknown> };
    };
    delete head.head.repo.default_branch;
    expect(checkResponse('pulls/get', 200, head)).toContainEqual({
      path: '$.head.repo.default_branch',
      message: 'is required but missing',
    });
  });

  it('catches wrong types, nulls and enum values', () => {
    const run = checkRun(info, 1, 'test', 'a'.repeat(40), 'success');
    expect(
      checkResponse('checks/list-for-ref', 200, { total_count: '1', check_runs: [run] }),
    ).toContainEqual({ path: '$.total_count', message: 'expected integer, got string' });
    expect(
      checkResponse('checks/list-for-ref', 200, {
        total_count: 1,
        check_runs: [{ ...run, status: 'done' }],
      })[0]!.path,
    ).toBe('$.check_runs[0].status');
    expect(
      checkResponse('checks/list-for-ref', 200, {
        total_count: 1,
        check_runs: [{ ...run, name: null }],
      }),
    ).toContainEqual({ path: '$.check_runs[0].name', message: 'is null but not nullable' });
    expect(checkResponse('pulls/merge', 200, { merged: true, message: 'ok' })).toContainEqual({
      path: '$.sha',
      message: 'is required but missing',
    });
  });

  it('checks undocumented statuses against basic-error and refuses unknown operations', () => {
    expect(
      checkResponse('pulls/get', 401, { message: 'Bad credentials', documentation_url: 'x' }),
    ).toEqual([]);
    expect(checkResponse('pulls/get', 401, { message: 42 })).toHaveLength(1);
    expect(checkResponse('pulls/get', 201, {})).toHaveLength(1);
    expect(checkResponse('repos/delete', 200, {})).toHaveLength(1);
    expect(validate({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, true)).toHaveLength(1);
  });
});
