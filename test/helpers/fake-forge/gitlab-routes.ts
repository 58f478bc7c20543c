// The GitLab v4 endpoints of the fake forge, named `gitlab:<what>`. A merge request's head is
// its source branch in the bare repository; its head pipeline comes from the fake CI; accepting
// it really merges (merge commit, optionally with a squash commit, or fast-forward) and answers
// 405/406/409 where GitLab does.
import { MergeConflictError } from './bare.js';
import { pipelineStatus } from './ci.js';
import type { FakeForge, ForgeRequest, Reply, Route } from './index.js';

export interface MrState {
  iid: number;
  title: string;
  description: string;
  source: string;
  target: string;
  sha: string;
  state: 'opened' | 'merged' | 'closed';
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
}

export interface GitLabState {
  project: string;
  mrs: MrState[];
  notes: { iid: number; body: string }[];
  /** `detailed_merge_status` values served (once each) after the pipeline passed, before "mergeable". */
  mergeStatusQueue: string[];
  /** The project's merge method: merge commits, or fast-forward only. */
  mergeMethod: 'merge' | 'ff';
}

const TIME = '2026-01-01T00:00:00Z';
const ok = (body: unknown, status = 200): Reply => ({ status, body });
const msg = (status: number, message: string): Reply => ({ status, body: { message } });

export function gitlabRoute(forge: FakeForge, req: ForgeRequest): Route | null {
  const gl = forge.gitlab;
  const [p0, project, a, b, c] = req.segments;
  if (p0 !== 'projects' || project !== gl.project) return null;
  const m = req.method;
  const mr = (iid: string | undefined) => gl.mrs.find((x) => x.iid === Number(iid));
  const web = (x: MrState) => `${forge.gitlabHost}/${gl.project}/-/merge_requests/${x.iid}`;

  if (a === 'merge_requests' && !b && m === 'GET') {
    return {
      op: 'gitlab:mrs.all',
      run: () => {
        const source = req.query.get('source_branch');
        const state = req.query.get('state');
        return ok(
          gl.mrs
            .filter(
              (x) =>
                (!source || x.source === source) &&
                (!state || state === 'all' || x.state === state),
            )
            .map((x) => view(forge, x, web(x), false)),
        );
      },
    };
  }
  if (a === 'merge_requests' && !b && m === 'POST') {
    return {
      op: 'gitlab:mrs.create',
      run: () => {
        const body = req.body as {
          source_branch?: string;
          target_branch?: string;
          title?: string;
          description?: string;
        };
        const sha = body.source_branch ? forge.bare.head(body.source_branch) : null;
        if (!sha || !body.target_branch || !body.title)
          return msg(400, 'source_branch, target_branch and title are required');
        if (gl.mrs.some((x) => x.state === 'opened' && x.source === body.source_branch))
          return msg(409, 'Another open merge request already exists for this source branch');
        const x: MrState = {
          iid: gl.mrs.length + 1,
          title: body.title,
          description: body.description ?? '',
          source: body.source_branch!,
          target: body.target_branch,
          sha,
          state: 'opened',
          mergeCommitSha: null,
          squashCommitSha: null,
        };
        gl.mrs.push(x);
        return ok(view(forge, x, web(x), false), 201);
      },
    };
  }
  if (a === 'merge_requests' && b && !c && m === 'GET') {
    return {
      op: 'gitlab:mrs.show',
      run: () => {
        const x = mr(b);
        return x ? ok(view(forge, x, web(x), true)) : msg(404, '404 Not found');
      },
    };
  }
  if (a === 'merge_requests' && b && !c && m === 'PUT') {
    return {
      op: 'gitlab:mrs.edit',
      run: () => {
        const x = mr(b);
        if (!x) return msg(404, '404 Not found');
        const u = req.body as { title?: string; description?: string; target_branch?: string };
        if (u.title !== undefined) x.title = u.title;
        if (u.description !== undefined) x.description = u.description;
        if (u.target_branch !== undefined) x.target = u.target_branch;
        return ok(view(forge, x, web(x), false));
      },
    };
  }
  if (a === 'merge_requests' && b && c === 'merge' && m === 'PUT') {
    return { op: 'gitlab:mrs.accept', run: () => accept(forge, mr(b), req.body, web) };
  }
  if (a === 'merge_requests' && b && c === 'notes' && m === 'POST') {
    return {
      op: 'gitlab:notes.create',
      run: () => {
        if (!mr(b)) return msg(404, '404 Not found');
        const body = String(req.body.body ?? '');
        gl.notes.push({ iid: Number(b), body });
        return ok({ id: gl.notes.length, body, noteable_iid: Number(b), created_at: TIME }, 201);
      },
    };
  }
  if (a === 'repository' && b === 'branches' && c && m === 'DELETE') {
    const branch = req.segments.slice(4).join('/');
    return {
      op: 'gitlab:branches.remove',
      run: () =>
        forge.bare.deleteBranch(branch) ? { status: 204 } : msg(404, '404 Branch Not Found'),
    };
  }
  return null;
}

/** The MR as GitLab shows it; `look` advances the fake CI of its head (a poll). */
function view(
  forge: FakeForge,
  x: MrState,
  webUrl: string,
  look: boolean,
): Record<string, unknown> {
  if (x.state === 'opened') x.sha = forge.bare.head(x.source) ?? x.sha;
  const checks =
    x.state === 'opened' ? (look ? forge.ci.advance(x.sha) : forge.ci.peek(x.sha)) : [];
  const status = pipelineStatus(checks);
  const pipeline =
    status === 'none'
      ? null
      : {
          id: 300 + x.iid,
          iid: x.iid,
          project_id: 1,
          sha: x.sha,
          ref: x.source,
          status,
          source: 'push',
          web_url: `${webUrl}/pipelines`,
        };
  let detailed = 'mergeable';
  if (x.state !== 'opened') detailed = 'not_open';
  else if (status !== 'success') detailed = status === 'none' ? 'ci_must_pass' : 'ci_still_running';
  else if (look && forge.gitlab.mergeStatusQueue.length)
    detailed = forge.gitlab.mergeStatusQueue.shift()!;
  return {
    id: 5000 + x.iid,
    iid: x.iid,
    project_id: 1,
    title: x.title,
    description: x.description,
    state: x.state,
    source_branch: x.source,
    target_branch: x.target,
    sha: x.sha,
    merge_commit_sha: x.mergeCommitSha,
    squash_commit_sha: x.squashCommitSha,
    detailed_merge_status: detailed,
    merge_status: detailed === 'mergeable' ? 'can_be_merged' : 'checking',
    has_conflicts: false,
    draft: false,
    work_in_progress: false,
    head_pipeline: look ? pipeline : undefined,
    web_url: webUrl,
    author: { id: 1, username: 'yardmaster-bot', name: 'Yardmaster Bot' },
    created_at: TIME,
    updated_at: TIME,
  };
}

function accept(
  forge: FakeForge,
  x: MrState | undefined,
  body: Record<string, unknown>,
  web: (x: MrState) => string,
): Reply {
  if (!x) return msg(404, '404 Not found');
  if (x.state !== 'opened') return msg(405, '405 Method Not Allowed');
  x.sha = forge.bare.head(x.source) ?? x.sha;
  if (body.sha !== undefined && body.sha !== x.sha)
    return msg(409, `SHA does not match HEAD of source branch: ${x.sha}`);
  if (pipelineStatus(forge.ci.peek(x.sha)) !== 'success') return msg(405, '405 Method Not Allowed');
  const base = forge.bare.head(x.target)!;
  try {
    if (forge.gitlab.mergeMethod === 'ff') {
      if (!forge.bare.isAncestor(base, x.sha)) return msg(406, 'Branch cannot be merged');
      const sha = forge.bare.merge(x.target, x.sha, 'ff', '', '');
      x.mergeCommitSha = null;
      x.squashCommitSha = body.squash ? sha : null;
    } else if (body.squash) {
      const r = forge.bare.squashThenMerge(
        x.target,
        x.sha,
        x.title,
        String(body.squash_commit_message ?? ''),
      );
      Object.assign(x, { mergeCommitSha: r.merge, squashCommitSha: r.squash });
    } else {
      x.mergeCommitSha = forge.bare.merge(
        x.target,
        x.sha,
        'merge',
        `Merge branch '${x.source}' into '${x.target}'`,
        x.title,
      );
    }
  } catch (err) {
    if (err instanceof MergeConflictError) return msg(406, 'Branch cannot be merged');
    throw err;
  }
  x.state = 'merged';
  if (body.should_remove_source_branch === true) forge.bare.deleteBranch(x.source);
  return ok(view(forge, x, web(x), false));
}
