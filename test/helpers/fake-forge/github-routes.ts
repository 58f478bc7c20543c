// The GitHub REST operations of the fake forge, named by their OpenAPI operationId. Pull
// requests follow the bare repository: the head is whatever was pushed, a merge really moves
// the base branch. Like GitHub with "require branches to be up to date", a merge whose head does
// not contain the current base is refused with 405.
import { MergeConflictError, type MergeMethod } from './bare.js';
import type { FakeForge, ForgeRequest, Reply, Route } from './index.js';
import {
  branchProtection,
  checkRun,
  combinedStatus,
  commitStatus,
  githubError,
  issueComment,
  pullRequest,
  statusCheckRule,
  type PullState,
  type RepoInfo,
} from './github-objects.js';

export interface GitHubState {
  owner: string;
  repo: string;
  pulls: PullState[];
  comments: { issue: number; body: string }[];
  /** Branch protection of the target: required contexts, or the status a token without admin gets. */
  protection: { contexts: string[] } | 403 | 404;
  /** Required status checks from rulesets, or 403. */
  rules: string[] | 403;
  /** The next N reads of a pull request say `mergeable: null` (GitHub still computing). */
  mergeableNullCount: number;
  /** GitHub's "automatically delete head branches". */
  deleteHeadOnMerge: boolean;
  /** "Require branches to be up to date before merging". */
  strict: boolean;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const fail = (status: number, message: string): Reply => ({
  status,
  body: githubError(message, status),
});

export function githubRoute(forge: FakeForge, req: ForgeRequest): Route | null {
  const gh = forge.github;
  const s = req.segments;
  if (s[0] !== 'repos' || s[1] !== gh.owner || s[2] !== gh.repo) return null;
  const info: RepoInfo = {
    api: forge.githubUrl,
    owner: gh.owner,
    repo: gh.repo,
    defaultBranch: forge.target,
  };
  const [, , , a, b, c, d] = s;
  const m = req.method;
  const pull = (n: string | undefined) => gh.pulls.find((p) => p.number === Number(n));
  const view = (p: PullState, full: boolean) => pullRequest(info, refresh(forge, p), full);

  if (a === 'pulls' && !b && m === 'GET') {
    return {
      op: 'pulls/list',
      run: () => {
        const head = req.query.get('head');
        const state = req.query.get('state') ?? 'open';
        const list = gh.pulls.filter(
          (p) =>
            (state === 'all' || p.state === state) && (!head || `${gh.owner}:${p.head}` === head),
        );
        return ok(list.map((p) => view(p, false)));
      },
    };
  }
  if (a === 'pulls' && !b && m === 'POST') {
    return {
      op: 'pulls/create',
      run: () => {
        const { title, head, base } = req.body as { title?: string; head?: string; base?: string };
        const headSha = head ? forge.bare.head(head) : null;
        if (!title || !head || !headSha || !base || !forge.bare.head(base))
          return {
            status: 422,
            body: {
              message: 'Validation Failed',
              documentation_url: 'https://docs.github.com/rest',
              errors: [{ resource: 'PullRequest', code: 'invalid', field: 'head' }],
            },
          };
        if (gh.pulls.some((p) => p.state === 'open' && p.head === head))
          return {
            status: 422,
            body: {
              message: 'Validation Failed',
              documentation_url: 'https://docs.github.com/rest',
              errors: [{ message: `A pull request already exists for ${gh.owner}:${head}.` }],
            },
          };
        const p: PullState = {
          number: gh.pulls.length + 1,
          title,
          body: String(req.body.body ?? ''),
          head,
          headSha,
          base,
          baseSha: forge.bare.head(base)!,
          state: 'open',
          merged: false,
          mergeCommitSha: null,
          mergeable: null,
        };
        gh.pulls.push(p);
        return ok(view(p, true), 201);
      },
    };
  }
  if (a === 'pulls' && b && !c && (m === 'GET' || m === 'PATCH')) {
    const p = pull(b);
    if (m === 'GET') {
      return {
        op: 'pulls/get',
        run: () => {
          if (!p) return fail(404, 'Not Found');
          refresh(forge, p);
          if (p.state === 'open' && gh.mergeableNullCount > 0) {
            gh.mergeableNullCount -= 1;
            p.mergeable = null;
          } else if (p.state === 'open') p.mergeable = true;
          return ok(view(p, true));
        },
      };
    }
    return {
      op: 'pulls/update',
      run: () => {
        if (!p) return fail(404, 'Not Found');
        const u = req.body as { title?: string; body?: string; base?: string };
        if (u.title !== undefined) p.title = u.title;
        if (u.body !== undefined) p.body = u.body;
        if (u.base !== undefined) p.base = u.base;
        return ok(view(p, true));
      },
    };
  }
  if (a === 'pulls' && b && c === 'merge' && m === 'PUT') {
    return { op: 'pulls/merge', run: () => mergePull(forge, pull(b), req.body) };
  }
  if (a === 'commits' && b && c === 'check-runs' && m === 'GET') {
    return {
      op: 'checks/list-for-ref',
      run: () => {
        const runs = forge.ci
          .advance(b)
          .filter((x) => (x.check.kind ?? 'check-run') === 'check-run' && x.step !== 'absent');
        return ok({
          total_count: runs.length,
          check_runs: runs.map((x, i) => checkRun(info, 500 + i, x.check.name, b, x.step)),
        });
      },
    };
  }
  if (a === 'commits' && b && c === 'status' && m === 'GET') {
    return {
      op: 'repos/get-combined-status-for-ref',
      run: () => {
        const list = forge.ci
          .peek(b)
          .filter((x) => x.check.kind === 'status' && x.step !== 'absent');
        return ok(
          combinedStatus(
            info,
            b,
            list.map((x, i) => commitStatus(info, 700 + i, x.check.name, x.step)),
          ),
        );
      },
    };
  }
  if (a === 'branches' && b && c === 'protection' && !d && m === 'GET') {
    return {
      op: 'repos/get-branch-protection',
      run: () => {
        const p = gh.protection;
        if (p === 403) return fail(403, 'Resource not accessible by personal access token');
        if (p === 404) return fail(404, 'Branch not protected');
        return ok(branchProtection(info, b, p.contexts));
      },
    };
  }
  if (a === 'rules' && b === 'branches' && c && m === 'GET') {
    return {
      op: 'repos/get-branch-rules',
      run: () =>
        gh.rules === 403
          ? fail(403, 'Forbidden')
          : ok(gh.rules.length ? [statusCheckRule(gh.rules)] : []),
    };
  }
  if (a === 'git' && b === 'refs' && c && m === 'DELETE') {
    const ref = s.slice(5).join('/');
    return {
      op: 'git/delete-ref',
      run: () => {
        if (!ref.startsWith('heads/') || !forge.bare.deleteBranch(ref.slice('heads/'.length)))
          return {
            status: 422,
            body: {
              message: 'Reference does not exist',
              documentation_url: 'https://docs.github.com/rest',
            },
          };
        return { status: 204 };
      },
    };
  }
  if (a === 'issues' && b && c === 'comments' && m === 'POST') {
    return {
      op: 'issues/create-comment',
      run: () => {
        if (!pull(b)) return fail(404, 'Not Found');
        const body = String(req.body.body ?? '');
        gh.comments.push({ issue: Number(b), body });
        return ok(issueComment(info, 900 + gh.comments.length, Number(b), body), 201);
      },
    };
  }
  return null;
}

/** The pull request's head and base follow the bare repository while it is open. */
function refresh(forge: FakeForge, p: PullState): PullState {
  if (p.state !== 'open') return p;
  p.headSha = forge.bare.head(p.head) ?? p.headSha;
  p.baseSha = forge.bare.head(p.base) ?? p.baseSha;
  return p;
}

function mergePull(
  forge: FakeForge,
  p: PullState | undefined,
  body: Record<string, unknown>,
): Reply {
  if (!p) return fail(404, 'Not Found');
  refresh(forge, p);
  if (p.state !== 'open')
    return {
      status: 405,
      body: {
        message: 'Pull Request is not mergeable',
        documentation_url: 'https://docs.github.com/rest',
      },
    };
  if (body.sha !== undefined && body.sha !== p.headSha) {
    return {
      status: 409,
      body: {
        message: 'Head branch was modified. Review and try the merge again.',
        documentation_url: 'https://docs.github.com/rest',
      },
    };
  }
  if (forge.github.strict && !forge.bare.isAncestor(p.baseSha, p.headSha)) {
    return {
      status: 405,
      body: {
        message: 'Head branch is not up to date with the base branch',
        documentation_url: 'https://docs.github.com/rest',
      },
    };
  }
  const method = (body.merge_method ?? 'merge') as MergeMethod;
  const title = String(body.commit_title ?? `Merge pull request #${p.number} from ${p.head}`);
  try {
    const sha = forge.bare.merge(
      p.base,
      p.headSha,
      method,
      title,
      String(body.commit_message ?? ''),
    );
    Object.assign(p, { state: 'closed', merged: true, mergeCommitSha: sha, mergeable: null });
    if (forge.github.deleteHeadOnMerge) forge.bare.deleteBranch(p.head);
    return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
  } catch (err) {
    if (err instanceof MergeConflictError)
      return {
        status: 405,
        body: {
          message: 'Pull Request is not mergeable',
          documentation_url: 'https://docs.github.com/rest',
        },
      };
    throw err;
  }
}
