// Small pure parts of the forge clients: Retry-After parsing, GitHub error messages, the statuses
// plugin-retry must never retry, and what a GitLab merge request means for the queue.
import { describe, expect, it } from 'vitest';
import {
  DO_NOT_RETRY,
  githubMessage,
  httpStatus,
  isRateLimited,
} from '../../src/vcs/github-client.js';
import { retryAfterMs } from '../../src/vcs/gitlab-client.js';
import { mergedSha, viewMergeRequest } from '../../src/vcs/gitlab-mr.js';

describe('forge clients', () => {
  it('reads Retry-After as seconds or as an HTTP date, and ignores garbage', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.5')).toBe(500);
    const inTwo = new Date(Date.now() + 2000).toUTCString();
    expect(retryAfterMs(inTwo)).toBeGreaterThan(0);
    expect(retryAfterMs(inTwo)).toBeLessThanOrEqual(2000);
    // On a fake clock, exactly: an HTTP date 90 s after "now".
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('Fri, 04 Dec 2026 10:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 09:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('never retries 405 and 409 (they are answers about the pull request)', () => {
    expect(DO_NOT_RETRY).toEqual(expect.arrayContaining([401, 403, 404, 405, 409, 422]));
    expect(DO_NOT_RETRY).not.toContain(429);
  });

  it("builds messages from GitHub's answer only, and tells rate limits from refusals", () => {
    const err = {
      status: 422,
      response: {
        data: { message: 'Validation Failed', errors: [{ message: 'No commits' }, 'other'] },
      },
      request: { headers: { authorization: 'token SECRET' } },
    };
    expect(githubMessage(err)).toBe('Validation Failed (No commits; other)');
    expect(httpStatus(err)).toBe(422);
    expect(
      isRateLimited({ status: 403, response: { data: { message: 'API rate limit exceeded' } } }),
    ).toBe(true);
    expect(
      isRateLimited({
        status: 403,
        response: { data: { message: 'Resource not accessible by integration' } },
      }),
    ).toBe(false);
    expect(isRateLimited({ status: 429 })).toBe(true);
  });

  it('reads a GitLab merge request and finds the commit the target moved to', () => {
    const base = {
      iid: 3,
      state: 'merged',
      sha: 'a'.repeat(40),
      merge_commit_sha: null,
      squash_commit_sha: null,
      head_pipeline: { id: 9, sha: 'a'.repeat(40), status: 'success', web_url: 'u' },
    };
    expect(mergedSha(viewMergeRequest(base))).toBe('a'.repeat(40)); // fast-forward
    expect(mergedSha(viewMergeRequest({ ...base, squash_commit_sha: 'b'.repeat(40) }))).toBe(
      'b'.repeat(40),
    );
    expect(
      mergedSha(
        viewMergeRequest({
          ...base,
          squash_commit_sha: 'b'.repeat(40),
          merge_commit_sha: 'c'.repeat(40),
        }),
      ),
    ).toBe('c'.repeat(40));
    const mr = viewMergeRequest({ ...base, work_in_progress: true });
    expect(mr).toMatchObject({
      draft: true,
      detailedMergeStatus: 'unchecked',
      headPipeline: { id: 9, status: 'success' },
    });
  });
});
