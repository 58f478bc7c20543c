// GitHub REST objects as GitHub sends them (every property the OpenAPI description requires),
// built from the fake forge's state. Checked against the description in the tests.
const TIME = '2026-01-01T00:00:00Z';

export interface RepoInfo {
  api: string;
  owner: string;
  repo: string;
  defaultBranch: string;
}

export function user(api: string, login = 'yardmaster-bot', id = 1): Record<string, unknown> {
  const u = `${api}/users/${login}`;
  return {
    login,
    id,
    node_id: `U_${id}`,
    avatar_url: `${api}/avatars/${login}`,
    gravatar_id: '',
    url: u,
    html_url: `${api}/${login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

const REPO_URLS = [
  'archive',
  'assignees',
  'blobs',
  'branches',
  'collaborators',
  'comments',
  'commits',
  'compare',
  'contents',
  'contributors',
  'deployments',
  'downloads',
  'events',
  'forks',
  'git_commits',
  'git_refs',
  'git_tags',
  'hooks',
  'issue_comment',
  'issue_events',
  'issues',
  'keys',
  'labels',
  'languages',
  'merges',
  'milestones',
  'notifications',
  'pulls',
  'releases',
  'stargazers',
  'statuses',
  'subscribers',
  'subscription',
  'tags',
  'teams',
  'trees',
];

export function minimalRepository(r: RepoInfo): Record<string, unknown> {
  const url = `${r.api}/repos/${r.owner}/${r.repo}`;
  const urls = Object.fromEntries(
    REPO_URLS.map((k) => [`${k}_url`, `${url}/${k.replace('_', '/')}`]),
  );
  return {
    id: 100,
    node_id: 'R_100',
    name: r.repo,
    full_name: `${r.owner}/${r.repo}`,
    owner: user(r.api, r.owner, 2),
    private: true,
    html_url: `${r.api}/${r.owner}/${r.repo}`,
    description: null,
    fork: false,
    url,
    ...urls,
  };
}

export function repository(r: RepoInfo): Record<string, unknown> {
  return {
    ...minimalRepository(r),
    license: null,
    forks: 0,
    git_url: `git://fake/${r.owner}/${r.repo}.git`,
    ssh_url: `git@fake:${r.owner}/${r.repo}.git`,
    clone_url: `${r.api}/${r.owner}/${r.repo}.git`,
    svn_url: `${r.api}/${r.owner}/${r.repo}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    size: 1,
    default_branch: r.defaultBranch,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    pushed_at: TIME,
    created_at: TIME,
    updated_at: TIME,
    open_issues: 0,
    watchers: 0,
  };
}

export interface PullState {
  number: number;
  title: string;
  body: string;
  head: string;
  headSha: string;
  base: string;
  baseSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommitSha: string | null;
  mergeable: boolean | null;
}

function branchRef(r: RepoInfo, ref: string, sha: string) {
  return {
    label: `${r.owner}:${ref}`,
    ref,
    sha,
    repo: repository(r),
    user: user(r.api, r.owner, 2),
  };
}

/** `pull-request-simple` (list) or, with `full`, `pull-request` (get, create, update). */
export function pullRequest(r: RepoInfo, p: PullState, full: boolean): Record<string, unknown> {
  const url = `${r.api}/repos/${r.owner}/${r.repo}/pulls/${p.number}`;
  const html = `${r.api}/${r.owner}/${r.repo}/pull/${p.number}`;
  const issue = `${r.api}/repos/${r.owner}/${r.repo}/issues/${p.number}`;
  const statuses = `${r.api}/repos/${r.owner}/${r.repo}/statuses/${p.headSha}`;
  const simple: Record<string, unknown> = {
    url,
    id: 1000 + p.number,
    node_id: `PR_${p.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${r.api}/repos/${r.owner}/${r.repo}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: user(r.api),
    body: p.body,
    labels: [],
    milestone: null,
    created_at: TIME,
    updated_at: TIME,
    closed_at: p.state === 'closed' ? TIME : null,
    merged_at: p.merged ? TIME : null,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    head: branchRef(r, p.head, p.headSha),
    base: branchRef(r, p.base, p.baseSha),
    _links: Object.fromEntries(
      [
        ['self', url],
        ['html', html],
        ['issue', issue],
        ['comments', `${issue}/comments`],
        ['review_comments', `${url}/comments`],
        ['review_comment', `${r.api}/repos/${r.owner}/${r.repo}/pulls/comments{/number}`],
        ['commits', `${url}/commits`],
        ['statuses', statuses],
      ].map(([k, v]) => [k, { href: v }]),
    ),
    author_association: 'OWNER',
    auto_merge: null,
    draft: false,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: p.merged,
    mergeable: p.mergeable,
    rebaseable: p.mergeable,
    mergeable_state: p.mergeable === null ? 'unknown' : p.mergeable ? 'clean' : 'dirty',
    merged_by: p.merged ? user(r.api) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

export function checkRun(
  r: RepoInfo,
  id: number,
  name: string,
  sha: string,
  step: string,
): Record<string, unknown> {
  const done = step === 'success' || step === 'failure';
  const html = `${r.api}/${r.owner}/${r.repo}/runs/${id}`;
  return {
    id,
    head_sha: sha,
    node_id: `CR_${id}`,
    external_id: null,
    url: `${r.api}/repos/${r.owner}/${r.repo}/check-runs/${id}`,
    html_url: html,
    details_url: html,
    status: done ? 'completed' : step,
    conclusion: done ? step : null,
    started_at: TIME,
    completed_at: done ? TIME : null,
    output: {
      title: null,
      summary: null,
      text: null,
      annotations_count: 0,
      annotations_url: `${r.api}/repos/${r.owner}/${r.repo}/check-runs/${id}/annotations`,
    },
    name,
    check_suite: { id: 1 },
    app: null,
    pull_requests: [],
  };
}

export function commitStatus(
  r: RepoInfo,
  id: number,
  context: string,
  step: string,
): Record<string, unknown> {
  const state = step === 'success' ? 'success' : step === 'failure' ? 'failure' : 'pending';
  return {
    url: `${r.api}/repos/${r.owner}/${r.repo}/statuses/${id}`,
    avatar_url: null,
    id,
    node_id: `S_${id}`,
    state,
    description: `${context} is ${state}`,
    target_url: `${r.api}/ci/${id}`,
    context,
    created_at: TIME,
    updated_at: TIME,
  };
}

export function combinedStatus(
  r: RepoInfo,
  sha: string,
  statuses: Record<string, unknown>[],
): Record<string, unknown> {
  const states = statuses.map((s) => s.state);
  const state = states.includes('failure')
    ? 'failure'
    : states.includes('pending') || !states.length
      ? 'pending'
      : 'success';
  return {
    state,
    statuses,
    sha,
    total_count: statuses.length,
    repository: minimalRepository(r),
    commit_url: `${r.api}/repos/${r.owner}/${r.repo}/commits/${sha}`,
    url: `${r.api}/repos/${r.owner}/${r.repo}/commits/${sha}/status`,
  };
}

export function issueComment(
  r: RepoInfo,
  id: number,
  issue: number,
  body: string,
): Record<string, unknown> {
  const issueUrl = `${r.api}/repos/${r.owner}/${r.repo}/issues/${issue}`;
  return {
    id,
    node_id: `IC_${id}`,
    url: `${r.api}/repos/${r.owner}/${r.repo}/issues/comments/${id}`,
    html_url: `${r.api}/${r.owner}/${r.repo}/pull/${issue}#c${id}`,
    body,
    user: user(r.api),
    created_at: TIME,
    updated_at: TIME,
    issue_url: issueUrl,
    author_association: 'OWNER',
  };
}

export function branchProtection(
  r: RepoInfo,
  branch: string,
  contexts: string[],
): Record<string, unknown> {
  const url = `${r.api}/repos/${r.owner}/${r.repo}/branches/${branch}/protection`;
  return {
    url,
    enabled: true,
    required_status_checks: {
      url: `${url}/required_status_checks`,
      enforcement_level: 'non_admins',
      contexts,
      checks: contexts.map((context) => ({ context, app_id: null })),
      strict: true,
    },
  };
}

export function statusCheckRule(contexts: string[]): Record<string, unknown> {
  return {
    type: 'required_status_checks',
    ruleset_source_type: 'Repository',
    ruleset_source: 'o/r',
    ruleset_id: 7,
    parameters: {
      required_status_checks: contexts.map((context) => ({ context })),
      strict_required_status_checks_policy: true,
    },
  };
}

export function githubError(message: string, status: number): Record<string, unknown> {
  return { message, documentation_url: 'https://docs.github.com/rest', status: String(status) };
}
