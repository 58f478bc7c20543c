// A stateful fake forge for tests: ONE node:http server on 127.0.0.1:0 speaking the GitHub REST
// operations yardmaster uses (at `githubUrl`) and the GitLab v4 ones (at `gitlabHost`/api/v4),
// backed by a bare git repository that the code under test pushes to over file://. Tests script
// it: CI steps, injected answers (405, 409, 403 with retry-after, 429...), mergeability that
// takes a while, a target that moves. Every GitHub answer is checked against GitHub's OpenAPI
// description; what does not fit lands in `violations`. Network faults: seeded random 5xx
// (`faults`), a request never answered (`hang`), a connection dropped before or after the
// operation took effect (`drop`).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { BareRepo } from './bare.js';
import { FakeCi } from './ci.js';
import { githubRoute, type GitHubState } from './github-routes.js';
import { gitlabRoute, type GitLabState } from './gitlab-routes.js';
import { checkResponse, type Violation } from './openapi.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Injected extends Reply {
  /** Runs just before the answer is sent (e.g. move the target at that moment). */
  before?: () => void;
}

export interface ForgeRequest {
  method: string;
  /** Path segments after the API root, URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

/** A matched route: the operation's name and what to do (run only when nothing is injected). */
export interface Route {
  op: string;
  run: () => Reply;
}

export interface LoggedRequest {
  op: string;
  method: string;
  path: string;
  status: number;
  at: number;
}

/** Seeded random server errors, answered before the operation runs (nothing changes). */
export interface FaultPlan {
  seed: number;
  /** Probability (0-1) that a request gets one of `statuses`. */
  rate: number;
  statuses?: number[];
  /** Stop after this many faults (keeps a run's length bounded). */
  max?: number;
  /** Only these operations (default: all). */
  ops?: string[];
}

/** What the server does with a request instead of answering it. */
type Fault = { kind: 'hang' } | { kind: 'drop' };

export interface FakeForgeOptions {
  /** The token the fake accepts (GitHub `authorization`, GitLab `private-token`). */
  token: string;
  /** Directory to create the bare repository in. */
  root: string;
  env: NodeJS.ProcessEnv;
  target?: string;
}

export class FakeForge {
  readonly ci = new FakeCi();
  readonly requests: LoggedRequest[] = [];
  readonly violations: { op: string; status: number; problems: Violation[] }[] = [];
  /** Failures of the fake itself (answered 500): a test with any is not testing the provider. */
  readonly ownFailures: { op: string; error: string }[] = [];
  readonly github: GitHubState;
  readonly gitlab: GitLabState;
  private readonly injected = new Map<string, Injected[]>();
  private readonly hangs = new Map<string, number>();
  private readonly drops = new Map<string, { times: number; after: boolean }>();
  private faultPlan: (FaultPlan & { next: () => number; count: number }) | null = null;
  private server!: Server;
  url = '';

  constructor(
    readonly bare: BareRepo,
    public token: string,
    readonly target: string,
  ) {
    this.github = {
      owner: 'octo',
      repo: 'yard',
      pulls: [],
      comments: [],
      protection: { contexts: ['test'] },
      rules: [],
      mergeableNullCount: 0,
      deleteHeadOnMerge: false,
      strict: true,
    };
    this.gitlab = {
      project: 'group/yard',
      mrs: [],
      notes: [],
      mergeStatusQueue: [],
      mergeMethod: 'merge',
    };
  }

  static async start(opts: FakeForgeOptions): Promise<FakeForge> {
    const target = opts.target ?? 'main';
    const forge = new FakeForge(
      BareRepo.init(path.join(opts.root, 'forge.git'), opts.env, target),
      opts.token,
      target,
    );
    forge.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = forge.handle(
          req.method ?? 'GET',
          req.url ?? '/',
          req.headers,
          Buffer.concat(chunks).toString('utf8'),
        );
        if ('kind' in reply) {
          // hang: never answered (close() ends it); drop: the connection cut mid-request.
          if (reply.kind === 'drop') req.socket.destroy();
          return;
        }
        const headers: Record<string, string> = { ...reply.headers };
        if (reply.status !== 204) headers['content-type'] = 'application/json; charset=utf-8';
        res.writeHead(reply.status, headers);
        res.end(reply.status === 204 ? undefined : JSON.stringify(reply.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => forge.server.listen(0, '127.0.0.1', resolve));
    forge.url = `http://127.0.0.1:${(forge.server.address() as AddressInfo).port}`;
    return forge;
  }

  get githubUrl(): string {
    return this.url;
  }

  get gitlabHost(): string {
    return `${this.url}/gitlab`;
  }

  /** The next `times` calls of `op` get this answer instead of the normal one. */
  inject(op: string, reply: Injected, times = 1): void {
    const list = this.injected.get(op) ?? [];
    for (let i = 0; i < times; i++) list.push(reply);
    this.injected.set(op, list);
  }

  /** Seeded random 5xx answers from now on (null: none). */
  faults(plan: FaultPlan | null): void {
    if (!plan) {
      this.faultPlan = null;
      return;
    }
    let state = plan.seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    this.faultPlan = { ...plan, next, count: 0 };
  }

  /** The next `times` calls of `op` are never answered (the client's timeout must act). */
  hang(op: string, times = 1): void {
    this.hangs.set(op, (this.hangs.get(op) ?? 0) + times);
  }

  /**
   * The next `times` calls of `op` get their connection destroyed; with `after`, once the
   * operation took effect (the answer is what is lost: a merge done but never confirmed).
   */
  drop(op: string, times = 1, opts: { after?: boolean } = {}): void {
    this.drops.set(op, { times, after: opts.after ?? false });
  }

  /** Back to a well-behaved forge: no injected answers, hangs, drops or random faults left. */
  clearFaults(): void {
    this.injected.clear();
    this.hangs.clear();
    this.drops.clear();
    this.faultPlan = null;
  }

  /** How many random faults were served so far. */
  get faultCount(): number {
    return this.faultPlan?.count ?? 0;
  }

  calls(op: string): LoggedRequest[] {
    return this.requests.filter((r) => r.op === op);
  }

  /** Throws when the fake itself failed during the test (see `ownFailures`). */
  assertNoFaults(): void {
    if (this.ownFailures.length)
      throw new Error(
        `the fake forge itself failed, so this test did not test the provider: ${JSON.stringify(this.ownFailures)}`,
      );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(
    method: string,
    rawUrl: string,
    headers: IncomingHttpHeaders,
    text: string,
  ): Reply | Fault {
    const url = new URL(rawUrl, 'http://fake');
    const gitlab = url.pathname.startsWith('/gitlab/api/v4/');
    const rest = gitlab ? url.pathname.slice('/gitlab/api/v4/'.length) : url.pathname.slice(1);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const req: ForgeRequest = {
      method,
      segments: rest.split('/').filter(Boolean).map(decodeURIComponent),
      query: url.searchParams,
      body,
      headers,
    };
    const route = gitlab ? gitlabRoute(this, req) : githubRoute(this, req);
    const op = route?.op ?? `${gitlab ? 'gitlab' : 'github'}:unknown`;
    const log = (status: number) =>
      this.requests.push({ op, method, path: url.pathname, status, at: Date.now() });
    if (route && this.authorized(gitlab, headers)) {
      const fault = this.networkFault(op, route);
      if (fault) {
        log(0);
        return fault;
      }
      const random = this.randomFault(op, gitlab);
      if (random) {
        log(random.status);
        return random;
      }
    }
    let reply: Reply;
    if (!route) reply = { status: 404, body: { message: `Not Found: ${method} ${url.pathname}` } };
    else if (!this.authorized(gitlab, headers)) {
      reply = gitlab
        ? { status: 401, body: { message: '401 Unauthorized' } }
        : {
            status: 401,
            body: {
              message: 'Bad credentials',
              documentation_url: 'https://docs.github.com/rest',
              status: '401',
            },
          };
    } else {
      const next = this.injected.get(op)?.shift();
      if (next) next.before?.();
      reply = next ?? this.run(op, route);
    }
    log(reply.status);
    if (route && !gitlab) {
      const problems = checkResponse(
        op,
        reply.status,
        reply.status === 204 ? undefined : reply.body,
      );
      if (problems.length) this.violations.push({ op, status: reply.status, problems });
    }
    return reply;
  }

  /** The route's answer; a failure of the fake is a 500, recorded, never an answer about the request. */
  private run(op: string, route: Route): Reply {
    try {
      return route.run();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.ownFailures.push({ op, error });
      return {
        status: 500,
        body: {
          message: `fake forge fault: ${error}`,
          documentation_url: 'https://docs.github.com/rest',
        },
      };
    }
  }

  private networkFault(op: string, route: Route): Fault | null {
    const hangs = this.hangs.get(op) ?? 0;
    if (hangs > 0) {
      this.hangs.set(op, hangs - 1);
      return { kind: 'hang' };
    }
    const drop = this.drops.get(op);
    if (drop && drop.times > 0) {
      drop.times--;
      if (drop.after) route.run();
      return { kind: 'drop' };
    }
    return null;
  }

  private randomFault(op: string, gitlab: boolean): Reply | null {
    const plan = this.faultPlan;
    if (
      !plan ||
      (plan.max !== undefined && plan.count >= plan.max) ||
      (plan.ops && !plan.ops.includes(op))
    )
      return null;
    if (plan.next() >= plan.rate) return null;
    const statuses = plan.statuses ?? [500, 502, 503];
    const status = statuses[Math.floor(plan.next() * statuses.length)]!;
    plan.count++;
    const text =
      { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status] ??
      'Server Error';
    return { status, body: gitlab ? { message: `${status} ${text}` } : { message: text } };
  }

  private authorized(gitlab: boolean, headers: IncomingHttpHeaders): boolean {
    if (gitlab) return headers['private-token'] === this.token;
    const auth = headers.authorization ?? '';
    return (
      auth === `token ${this.token}` ||
      auth === `bearer ${this.token}` ||
      auth === `Bearer ${this.token}`
    );
  }
}
