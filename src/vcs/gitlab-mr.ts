// What yardmaster reads from a GitLab merge request, and what each `detailed_merge_status` and
// pipeline status means for the queue: wait, rebuild (the target moved), or stop.
export interface PipelineView {
  id: number;
  sha: string;
  status: string;
  webUrl: string;
}

export interface MergeRequestView {
  iid: number;
  state: string;
  sha: string;
  targetBranch: string;
  sourceBranch: string;
  title: string;
  description: string;
  webUrl: string;
  draft: boolean;
  detailedMergeStatus: string;
  mergeCommitSha: string | null;
  squashCommitSha: string | null;
  headPipeline: PipelineView | null;
}

/** GitLab is still computing: ask again later. */
export const WAIT_STATUSES = new Set([
  'checking',
  'unchecked',
  'preparing',
  'approvals_syncing',
  'ci_must_pass',
  'ci_still_running',
]);
/** The MR conflicts with, or is behind, its target: rebuild on the new target. */
export const MOVED_STATUSES = new Set(['conflict', 'need_rebase']);
/** Pipeline states that will not turn green by waiting. */
export const PIPELINE_FAILED = new Set(['failed', 'canceled', 'canceling', 'skipped']);

/** Reads the fields we use from gitbeaker's (snake_case) merge request object. */
export function viewMergeRequest(raw: unknown): MergeRequestView {
  const o = record(raw);
  const pipe = o.head_pipeline ? record(o.head_pipeline) : null;
  return {
    iid: num(o.iid),
    state: str(o.state),
    sha: str(o.sha),
    targetBranch: str(o.target_branch),
    sourceBranch: str(o.source_branch),
    title: str(o.title),
    description: str(o.description),
    webUrl: str(o.web_url),
    draft: o.draft === true || o.work_in_progress === true,
    detailedMergeStatus: str(o.detailed_merge_status) || 'unchecked',
    mergeCommitSha: typeof o.merge_commit_sha === 'string' ? o.merge_commit_sha : null,
    squashCommitSha: typeof o.squash_commit_sha === 'string' ? o.squash_commit_sha : null,
    headPipeline: pipe
      ? {
          id: num(pipe.id),
          sha: str(pipe.sha),
          status: str(pipe.status),
          webUrl: str(pipe.web_url),
        }
      : null,
  };
}

/** The commit the target points at after GitLab merged this MR. */
export function mergedSha(mr: MergeRequestView): string {
  return mr.mergeCommitSha ?? mr.squashCommitSha ?? mr.sha;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? NaN);
}
