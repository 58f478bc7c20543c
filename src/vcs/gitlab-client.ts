// The GitLab REST client: @gitbeaker/rest resources with yardmaster's own requester (gitbeaker's
// documented `requesterFn` extension point). Gitbeaker's default one retries 429 within a
// second and ignores `Retry-After`; this one honours `Retry-After`, else backs off exponentially,
// both bounded, and throws typed errors that carry GitLab's message but never the token.
import { systemClock } from '../core/clock.js';
import type { MergeRequests } from '@gitbeaker/rest';
import { UsageError, WorkFailedError } from '../core/errors.js';
import { backoffMs, sleep } from '../runtime/sleep.js';

export const TOKEN_VARIABLE = 'GITLAB_TOKEN';

type ResourceOptions = ConstructorParameters<typeof MergeRequests>[0];
type RequesterFn = NonNullable<ResourceOptions['requesterFn']>;
type ServiceOptions = Parameters<RequesterFn>[0];
type Requester = ReturnType<RequesterFn>;
type RequestOptions = NonNullable<Parameters<Requester['get']>[1]>;

/** Statuses that mean "later": rate limits and a gateway between us and GitLab. */
const RETRY_STATUSES = new Set([429, 502, 503]);
/**
 * Also "later", but only for reads: a 500/504 or a request that got no answer at all (timeout,
 * dropped connection) may have done its work on GitLab's side, so a write is not sent twice
 * blindly; the provider looks at the merge request instead.
 */
const RETRY_READ_STATUSES = new Set([500, 504]);
const MAX_RETRIES = 5;
const MAX_WAIT_MS = 60_000;

export interface RetryPolicy {
  /** First backoff step in ms when the answer has no Retry-After (doubles each time). */
  baseMs: number;
  /** One request that has not answered within this long is aborted. */
  requestTimeoutMs: number;
  notice: (text: string) => void;
}

/** No answer came back: the request timed out or its connection was dropped. */
export class GitLabUnreachableError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`GitLab did not answer ${method} ${path}: ${reason}`);
    this.name = 'GitLabUnreachableError';
  }
}

/** A GitLab answer that was not a success: its status and GitLab's own message. */
export class GitLabApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(`GitLab answered ${status} to ${method} ${path}: ${description}`);
    this.name = 'GitLabApiError';
  }
}

export function readToken(env: NodeJS.ProcessEnv): string {
  const token = env[TOKEN_VARIABLE]?.trim();
  if (!token) {
    throw new UsageError(
      `The GitLab provider needs a token in the ${TOKEN_VARIABLE} environment variable.`,
      {
        hint: `Create a token with the "api" scope (see README "merge --provider gitlab") and export ${TOKEN_VARIABLE}; yardmaster never reads tokens from files.`,
      },
    );
  }
  return token;
}

export function gitlabStatus(err: unknown): number | undefined {
  return err instanceof GitLabApiError ? err.status : undefined;
}

export function gitlabMessage(err: unknown): string {
  return err instanceof GitLabApiError
    ? err.description
    : err instanceof Error
      ? err.message
      : String(err);
}

/** Setup failures (token, rate limit, network) as one clear error; undefined for the rest. */
export function setupError(err: unknown, host: string): Error | undefined {
  const status = gitlabStatus(err);
  if (status === 401) {
    return new UsageError(
      `GitLab rejected the token in ${TOKEN_VARIABLE} (401: ${gitlabMessage(err)}).`,
      {
        hint: `Check that ${TOKEN_VARIABLE} holds a valid, unexpired token with the "api" scope for ${host}.`,
      },
    );
  }
  if (status !== undefined && RETRY_STATUSES.has(status)) {
    return new WorkFailedError(
      `GitLab kept answering ${status} (${gitlabMessage(err)}); the track stays ready.`,
      { hint: 'Run `ym merge` again later.' },
    );
  }
  if (status !== undefined && status >= 500) {
    return new WorkFailedError(
      `GitLab kept answering ${status} (${gitlabMessage(err)}); the track stays ready.`,
      { hint: 'Run `ym merge` again later.' },
    );
  }
  if (err instanceof GitLabUnreachableError) {
    return new WorkFailedError(
      `GitLab at ${host} did not answer, even after retries (${err.message}); the track stays ready.`,
      {
        hint: 'Run `ym merge` again when GitLab answers (gitlab.requestTimeoutSec sets how long one request may take).',
      },
    );
  }
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) {
    return new WorkFailedError(
      `Cannot reach GitLab at ${host}: ${String(err.cause ?? err.message)}.`,
      { hint: 'Check gitlab.host and your network.' },
    );
  }
  return undefined;
}

/** A gitbeaker `requesterFn` over fetch, with bounded, Retry-After-aware backoff. */
export function createRequesterFn(policy: RetryPolicy): RequesterFn {
  return (svc: ServiceOptions) => {
    const call =
      (method: string) =>
      (endpoint: string, options: RequestOptions = {}) =>
        send(svc, method, endpoint, options, policy);
    // The requester's methods are generic over the body type; ours returns parsed JSON.
    return {
      get: call('GET'),
      post: call('POST'),
      put: call('PUT'),
      patch: call('PATCH'),
      delete: call('DELETE'),
    } as unknown as Requester;
  };
}

async function send(
  svc: ServiceOptions,
  method: string,
  endpoint: string,
  options: RequestOptions,
  policy: RetryPolicy,
) {
  const url = new URL(endpoint, svc.url.endsWith('/') ? svc.url : `${svc.url}/`);
  url.search = query(options.searchParams ?? {});
  const headers: Record<string, string> = { ...svc.headers };
  for (const [name, value] of Object.entries(svc.authHeaders)) headers[name] = await value();
  if (options.sudo !== undefined) headers.sudo = String(options.sudo);
  let body: string | FormData | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body && Object.keys(options.body).length) {
    body = JSON.stringify(snakeKeys(options.body));
    headers['content-type'] = 'application/json';
  }
  const where = url.pathname;
  const read = method === 'GET';
  const later = async (attempt: number, what: string, after?: number) => {
    const wait = Math.min(MAX_WAIT_MS, after ?? backoffMs(attempt, policy.baseMs, MAX_WAIT_MS));
    policy.notice(
      `GitLab ${what} to ${method} ${where}; retrying in ${(wait / 1000).toFixed(1)} s${after === undefined ? ' (backoff)' : ' (Retry-After)'}`,
    );
    await sleep(wait, options.signal);
  };
  for (let attempt = 1; ; attempt++) {
    const deadline = AbortSignal.timeout(policy.requestTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, signal, ...(body !== undefined ? { body } : {}) });
      text = res.ok ? '' : await res.text();
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const reason = deadline.aborted
        ? `no answer within ${policy.requestTimeoutMs / 1000} s`
        : `the connection failed (${String((err as Error).cause ?? (err as Error).message)})`;
      if (read && attempt <= MAX_RETRIES) {
        await later(attempt, `gave no answer (${reason})`);
        continue;
      }
      throw new GitLabUnreachableError(method, where, reason);
    }
    if (res.ok) {
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      const parsed: unknown =
        res.status === 204
          ? null
          : type === 'application/json'
            ? ((await res.json()) ?? {})
            : await res.text();
      return {
        body: parsed,
        headers: Object.fromEntries(res.headers.entries()),
        status: res.status,
      };
    }
    if (
      (RETRY_STATUSES.has(res.status) || (read && RETRY_READ_STATUSES.has(res.status))) &&
      attempt <= MAX_RETRIES
    ) {
      await later(attempt, `answered ${res.status}`, retryAfterMs(res.headers.get('retry-after')));
      continue;
    }
    throw new GitLabApiError(
      res.status,
      describe(text, res.headers.get('content-type')),
      method,
      where,
    );
  }
}

/** `Retry-After` as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(
  value: string | null,
  now: number = systemClock.now().getTime(),
): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function describe(text: string, type: string | null): string {
  if (!type?.includes('application/json')) return text.trim().slice(0, 500) || 'no message';
  try {
    const data = JSON.parse(text) as { error?: unknown; message?: unknown };
    const m = data.error ?? data.message ?? '';
    return typeof m === 'string' ? m : JSON.stringify(m);
  } catch {
    return text.slice(0, 500);
  }
}

/** GitLab's parameters are snake_case; gitbeaker's options are camelCase. */
function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
      snakeKeys(v),
    ]),
  );
}

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(snakeKeys(params) as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value) q.append(`${key}[]`, String(v));
    else q.append(key, String(value));
  }
  return q.toString();
}
