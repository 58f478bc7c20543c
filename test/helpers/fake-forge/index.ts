// A stateful fake forge for tests: ONE node:http server on 127.0.0.1:0 speaking the GitHub REST
// operations yardmaster uses (at `githubUrl`) and the GitLab v4 ones (at `gitlabHost`/api/v4),
// backed by a bare git repository that the code under test pushes to over file://. Tests script
// it: CI steps, injected answers (405, 409, 403 with retry-after, 429...), mergeability that
// takes a while, a target that moves. Every GitHub answer is checked against GitHub's OpenAPI
// description; what does not fit lands in `violations`.
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
  readonly faults: { op: string; error: string }[] = [];
  readonly github: GitHubState;
  readonly gitlab: GitLabState;
  private readonly injected = new Map<string, Injected[]>();
  private server!: Server;
  url = '';

  constructor(
    readonly bare: BareRepo,
    public token: string,
    readonly target: string,
  ) {
    this.github = { owner: 'octo', repo: 'yard', pulls: [], comments: [], protection: { contexts: ['test'] }, rules: [], mergeableNullCount: 0, deleteHeadOnMerge: false, strict: true };
    this.gitlab = { project: 'group/yard', mrs: [], notes: [], mergeStatusQueue: [], mergeMethod: 'merge' };
  }

  static async start(opts: FakeForgeOptions): Promise<FakeForge> {
    const target = opts.target ?? 'main';
    const forge = new FakeForge(BareRepo.init(path.join(opts.root, 'forge.git'), opts.env, target), opts.token, target);
    forge.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reply = forge.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'));
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

  calls(op: string): LoggedRequest[] {
    return this.requests.filter((r) => r.op === op);
  }

  /** Throws when the fake itself failed during the test (see `faults`). */
  assertNoFaults(): void {
    if (this.faults.length) throw new Error(`the fake forge itself failed, so this test did not test the provider: ${JSON.stringify(this.faults)}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handle(method: string, rawUrl: string, headers: IncomingHttpHeaders, text: string): Reply {
    const url = new URL(rawUrl, 'http://fake');
    const gitlab = url.pathname.startsWith('/gitlab/api/v4/');
    const rest = gitlab ? url.pathname.slice('/gitlab/api/v4/'.length) : url.pathname.slice(1);
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const req: ForgeRequest = { method, segments: rest.split('/').filter(Boolean).map(decodeURIComponent), query: url.searchParams, body, headers };
    const route = gitlab ? gitlabRoute(this, req) : githubRoute(this, req);
    const op = route?.op ?? `${gitlab ? 'gitlab' : 'github'}:unknown`;
    let reply: Reply;
    if (!route) reply = { status: 404, body: { message: `Not Found: ${method} ${url.pathname}` } };
    else if (!this.authorized(gitlab, headers)) {
      reply = gitlab ? { status: 401, body: { message: '401 Unauthorized' } } : { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
    } else {
      const next = this.injected.get(op)?.shift();
      if (next) next.before?.();
      reply = next ?? this.run(op, route);
    }
    this.requests.push({ op, method, path: url.pathname, status: reply.status, at: Date.now() });
    if (route && !gitlab) {
      const problems = checkResponse(op, reply.status, reply.status === 204 ? undefined : reply.body);
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
      this.faults.push({ op, error });
      return { status: 500, body: { message: `fake forge fault: ${error}`, documentation_url: 'https://docs.github.com/rest' } };
    }
  }

  private authorized(gitlab: boolean, headers: IncomingHttpHeaders): boolean {
    if (gitlab) return headers['private-token'] === this.token;
    const auth = headers.authorization ?? '';
    return auth === `token ${this.token}` || auth === `bearer ${this.token}` || auth === `Bearer ${this.token}`;
  }
}
