// The GitHub REST client: @octokit/rest with plugin-throttling (honours `retry-after` and
// `x-ratelimit-*`) and plugin-retry (bounded retries of server errors; 405 and 409 are answers
// about the pull request, never retried blindly). The token comes only from GITHUB_TOKEN and is
// never printed: every error here is rebuilt from the status and GitHub's message alone.
import type { Octokit } from '@octokit/rest';
import { UsageError, WorkFailedError } from '../core/errors.js';

export type GitHubApi = Octokit;

export const TOKEN_VARIABLE = 'GITHUB_TOKEN';

/** Statuses plugin-retry must hand straight back: they describe the request, not a hiccup. */
export const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 451];
const MAX_RATE_LIMIT_RETRIES = 3;
/** Waiting longer than this for a rate limit to reset is worse than giving the track back. */
const MAX_RATE_LIMIT_WAIT_SEC = 15 * 60;

export interface GitHubClientOptions {
  baseUrl: string;
  env: NodeJS.ProcessEnv;
  /** Where rate-limit notices go (one line each). */
  notice: (text: string) => void;
  /** Milliseconds per "retry after" unit (tests shorten the waits of plugin-retry). */
  retryBaseMs?: number;
  /** One request that has not answered within this long is aborted (and retried by plugin-retry). */
  requestTimeoutMs: number;
}

export function readToken(env: NodeJS.ProcessEnv): string {
  const token = env[TOKEN_VARIABLE]?.trim();
  if (!token) {
    throw new UsageError(
      `The GitHub provider needs a token in the ${TOKEN_VARIABLE} environment variable.`,
      {
        hint: `Create a token that can push, open pull requests, read checks and merge (see README "merge --provider github") and export ${TOKEN_VARIABLE}; yardmaster never reads tokens from files.`,
      },
    );
  }
  return token;
}

export async function createGitHubClient(opts: GitHubClientOptions): Promise<GitHubApi> {
  const token = readToken(opts.env);
  const [{ Octokit: Base }, { throttling }, { retry }] = await Promise.all([
    import('@octokit/rest'),
    import('@octokit/plugin-throttling'),
    import('@octokit/plugin-retry'),
  ]);
  const Client = Base.plugin(throttling, retry);
  const onLimit =
    (kind: string) =>
    (
      retryAfter: number,
      options: { method: string; url: string },
      _o: unknown,
      retryCount: number,
    ) => {
      const again = retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT_SEC;
      opts.notice(
        `GitHub ${kind} on ${options.method} ${options.url}: ${again ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return again;
    };
  const quiet = () => undefined;
  return new Client({
    auth: token,
    baseUrl: opts.baseUrl.replace(/\/+$/, ''),
    userAgent: 'yardmaster',
    // Octokit's own warnings (deprecations) carry no secrets; requests are never logged.
    log: {
      debug: quiet,
      info: quiet,
      warn: (m: string) => opts.notice(`GitHub: ${m}`),
      error: (m: string) => opts.notice(`GitHub: ${m}`),
    },
    throttle: {
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
    },
    retry: {
      doNotRetry: DO_NOT_RETRY,
      retries: 3,
      ...(opts.retryBaseMs !== undefined ? { retryAfterBaseValue: opts.retryBaseMs } : {}),
    },
    // A forge that never answers must not hold the merge lock forever: each request has a
    // deadline. Octokit turns the timeout (like a dropped connection) into a status-500
    // RequestError, which plugin-retry retries like any server error.
    request: { fetch: fetchWithTimeout(opts.requestTimeoutMs) },
  });
}

/** fetch with a deadline per request, on top of the caller's own signal. */
export function fetchWithTimeout(ms: number): typeof fetch {
  return (input, init = {}) => {
    const deadline = AbortSignal.timeout(ms);
    return fetch(input, {
      ...init,
      signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline,
    });
  };
}

/** True for a failure where no answer came back at all: a timeout or a dropped connection. */
export function noAnswer(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const response = 'response' in err ? (err as { response?: unknown }).response : undefined;
  return httpStatus(err) === 500 && response === undefined && 'request' in err;
}

/** The HTTP status of an Octokit RequestError, if that is what `err` is. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('status' in err)) return undefined;
  const status = (err as { status: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's own message for a failed request (never the request, which holds the token). */
export function githubMessage(err: unknown): string {
  const data =
    typeof err === 'object' && err !== null && 'response' in err
      ? (err as { response?: { data?: unknown } }).response?.data
      : undefined;
  if (
    typeof data === 'object' &&
    data !== null &&
    'message' in data &&
    typeof data.message === 'string'
  ) {
    const errors =
      'errors' in data && Array.isArray(data.errors)
        ? data.errors.map(describeValidation).filter(Boolean)
        : [];
    return errors.length ? `${data.message} (${errors.join('; ')})` : data.message;
  }
  const status = httpStatus(err);
  return status ? `HTTP ${status}` : err instanceof Error ? err.message : String(err);
}

function describeValidation(e: unknown): string {
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string')
    return e.message;
  return '';
}

/** True for the 403/429 answers that mean "slow down", as opposed to "not allowed". */
export function isRateLimited(err: unknown): boolean {
  const status = httpStatus(err);
  return status === 429 || (status === 403 && /rate limit/i.test(githubMessage(err)));
}

/**
 * Turns the failures that are about the whole setup (bad token, unreachable host) into one clear
 * error; anything else goes on as it was.
 */
export function setupError(err: unknown, baseUrl: string): Error | undefined {
  const status = httpStatus(err);
  if (status === 401) {
    return new UsageError(
      `GitHub rejected the token in ${TOKEN_VARIABLE} (401: ${githubMessage(err)}).`,
      {
        hint: `Check that ${TOKEN_VARIABLE} holds a valid, unexpired token for ${baseUrl}.`,
      },
    );
  }
  if (isRateLimited(err)) {
    return new WorkFailedError(
      `GitHub's rate limit stopped the merge (${githubMessage(err)}); the track stays ready.`,
      {
        hint: 'Run `ym merge` again later.',
      },
    );
  }
  if (
    status === undefined &&
    err instanceof Error &&
    !(err instanceof UsageError) &&
    /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT/i.test(`${err.message} ${String(err.cause)}`)
  ) {
    return new WorkFailedError(`Cannot reach GitHub at ${baseUrl}: ${err.message}.`, {
      hint: 'Check github.baseUrl and your network.',
    });
  }
  if (noAnswer(err)) {
    const why = err instanceof Error ? err.message : String(err);
    return new WorkFailedError(
      `GitHub at ${baseUrl} did not answer, even after retries (${why}); the track stays ready.`,
      {
        hint: 'Run `ym merge` again when GitHub answers (github.requestTimeoutSec sets how long one request may take).',
      },
    );
  }
  if (status !== undefined && status >= 500) {
    return new WorkFailedError(
      `GitHub kept answering ${status} (${githubMessage(err)}), even after retries; the track stays ready.`,
      {
        hint: 'Run `ym merge` again later.',
      },
    );
  }
  return undefined;
}
