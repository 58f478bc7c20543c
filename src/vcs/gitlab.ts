// The GitLab provider: the forge skeleton (forge-provider.ts) over @gitbeaker/rest. It waits for
// the head pipeline of the exact SHA and for GitLab's `detailed_merge_status`, then accepts with
// `{ sha }`. Refusals are read the way marge-bot reads them: 405/406 re-check the MR and the
// target (moved: rebuild; else stop with GitLab's reason), 409 means the head moved, 422 stops.
import type { Branches, MergeRequestNotes, MergeRequests } from '@gitbeaker/rest';
import { UsageError, WorkFailedError } from '../core/errors.js';
import { ForgeProvider, type OpenRequest, type RequestText } from './forge-provider.js';
import { seconds, type WaitClock } from './forge-wait.js';
import {
  GitLabApiError,
  GitLabUnreachableError,
  createRequesterFn,
  gitlabMessage,
  gitlabStatus,
  readToken,
  setupError,
} from './gitlab-client.js';
import {
  MOVED_STATUSES,
  PIPELINE_FAILED,
  WAIT_STATUSES,
  mergedSha,
  viewMergeRequest,
  type MergeRequestView,
} from './gitlab-mr.js';
import type { ForgeProviderDeps, LandRequest, LandResult } from './types.js';

type GitLabConfig = NonNullable<ForgeProviderDeps['config']['gitlab']>;
interface Api {
  mrs: MergeRequests;
  notes: MergeRequestNotes;
  branches: Branches;
}
type Ready = { kind: 'ready'; mr: MergeRequestView };

export class GitLabProvider extends ForgeProvider<Ready> {
  private readonly project: string;

  private constructor(
    private readonly api: Api,
    private readonly gl: GitLabConfig,
    deps: ForgeProviderDeps,
  ) {
    super('gitlab', 'GitLab', gl, deps);
    this.project = gl.project;
  }

  static async create(deps: ForgeProviderDeps): Promise<GitLabProvider> {
    const gl = deps.config.gitlab;
    if (!gl) {
      throw new UsageError('The GitLab provider needs a "gitlab" section in yardmaster.json.', {
        hint: 'Add "gitlab": { "project": "<group>/<name>" } (and "host" for a self-managed GitLab).',
      });
    }
    const token = readToken(deps.env);
    const {
      MergeRequests: Mrs,
      MergeRequestNotes: Notes,
      Branches: Br,
    } = await import('@gitbeaker/rest');
    const requesterFn = createRequesterFn({
      baseMs: deps.retryBaseMs ?? 1000,
      requestTimeoutMs: gl.requestTimeoutSec * 1000,
      notice: (text) => deps.report(null, text),
    });
    const options = { host: gl.host.replace(/\/+$/, ''), token, requesterFn };
    return new GitLabProvider(
      { mrs: new Mrs(options), notes: new Notes(options), branches: new Br(options) },
      gl,
      deps,
    ).checkRemote();
  }

  protected requestName(iid: number): string {
    return `merge request !${iid}`;
  }

  protected async findRequest(branch: string): Promise<OpenRequest | undefined> {
    const list: unknown[] = await this.api.mrs.all({
      projectId: this.project,
      sourceBranch: branch,
      state: 'opened',
    });
    const mr = list.map(viewMergeRequest).find((m) => m.sourceBranch === branch);
    return mr && openRequest(mr);
  }

  protected async openRequest(text: RequestText): Promise<OpenRequest> {
    return openRequest(
      viewMergeRequest(
        await this.api.mrs.create(this.project, text.branch, text.target, text.title, {
          description: text.body,
        }),
      ),
    );
  }

  protected openRefused(err: unknown, branch: string): string | undefined {
    const status = gitlabStatus(err);
    if (status === 400 || status === 403 || status === 409 || status === 422) {
      return `GitLab refused to open a merge request for ${branch} (${status}): ${gitlabMessage(err)}`;
    }
    return undefined;
  }

  protected async updateRequest(iid: number, text: RequestText): Promise<OpenRequest> {
    return openRequest(
      viewMergeRequest(
        await this.api.mrs.edit(this.project, iid, {
          targetBranch: text.target,
          title: text.title,
          description: text.body,
        }),
      ),
    );
  }

  protected async comment(iid: number, body: string): Promise<void> {
    await this.api.notes.create(this.project, iid, body);
  }

  protected async removeBranch(branch: string): Promise<void> {
    try {
      await this.api.branches.remove(this.project, branch);
    } catch (err) {
      // Already gone (removed with the merge, or by a person): fine.
      if (gitlabStatus(err) === 404) return;
      throw err;
    }
  }

  private async show(iid: number): Promise<MergeRequestView> {
    return viewMergeRequest(await this.api.mrs.show(this.project, iid));
  }

  /** Waits for GitLab to see our head, for its pipeline on that SHA, and for a mergeable status. */
  protected async waitReady(
    { id: iid }: OpenRequest,
    req: LandRequest,
    clock: WaitClock,
  ): Promise<Ready | LandResult> {
    const short = req.sha.slice(0, 12);
    for (;;) {
      const mr = await this.show(iid);
      if (mr.state === 'merged') {
        return mr.sha === req.sha
          ? { kind: 'ready', mr }
          : {
              kind: 'rejected',
              detail: `merge request !${iid} was merged by someone else at another head`,
            };
      }
      if (mr.state !== 'opened')
        return { kind: 'rejected', detail: `merge request !${iid} is ${mr.state} on GitLab` };
      const pipe = mr.headPipeline;
      const ours = mr.sha === req.sha && pipe !== null && pipe.sha === req.sha;
      if (
        mr.sha === req.sha &&
        this.gl.requirePipeline &&
        ours &&
        PIPELINE_FAILED.has(pipe.status)
      ) {
        return {
          kind: 'checks-failed',
          detail: `GitLab pipeline #${pipe.id} ${pipe.status} on ${short} (${pipe.webUrl})`,
        };
      }
      const pipelineDone = !this.gl.requirePipeline || (ours && pipe.status === 'success');
      if (mr.sha === req.sha && pipelineDone) {
        if (mr.detailedMergeStatus === 'mergeable') return { kind: 'ready', mr };
        if (MOVED_STATUSES.has(mr.detailedMergeStatus))
          return {
            kind: 'target-moved',
            detail: `GitLab reports !${iid} as ${mr.detailedMergeStatus}`,
          };
        if (!WAIT_STATUSES.has(mr.detailedMergeStatus)) {
          return {
            kind: 'rejected',
            detail: `GitLab will not merge !${iid}: detailed_merge_status is "${mr.detailedMergeStatus}"`,
          };
        }
      }
      if (!ours && this.gl.requirePipeline && clock.startExpired()) {
        const seen =
          mr.sha !== req.sha
            ? `GitLab still shows head ${mr.sha.slice(0, 12)}`
            : 'no pipeline started';
        return {
          kind: 'checks-failed',
          detail: `${seen} for ${short} within ${seconds(clock.startLimitMs)}; make sure CI runs for this branch, or set gitlab.requirePipeline to false`,
        };
      }
      if (clock.expired()) {
        const what = ours
          ? `pipeline #${pipe.id} (${pipe.status}, ${mr.detailedMergeStatus})`
          : `a pipeline on ${short}`;
        return {
          kind: 'checks-failed',
          detail: `timed out after ${seconds(clock.totalLimitMs)} waiting for ${what}`,
        };
      }
      await clock.tick();
    }
  }

  /** An MR GitLab already merged at our head (e.g. "merge when pipeline succeeds") is landed as it is. */
  protected override targetCheckNeeded({ mr }: Ready): boolean {
    return mr.state !== 'merged';
  }

  protected async merge({ mr }: Ready, req: LandRequest, clock: WaitClock): Promise<LandResult> {
    const merged = mr.state === 'merged' ? mr : await this.accept(mr, req, clock);
    if ('kind' in merged) return merged;
    return { kind: 'landed', targetSha: mergedSha(merged), url: merged.webUrl };
  }

  /** Accepts at exactly `req.sha`; GitLab's refusals become target-moved or rejected. */
  private async accept(
    mr: MergeRequestView,
    req: LandRequest,
    clock: WaitClock,
  ): Promise<MergeRequestView | LandResult> {
    const squash = req.strategy === 'squash';
    const options = {
      sha: req.sha,
      squash,
      shouldRemoveSourceBranch: this.deps.config.merge.deleteBranch,
    };
    const squashMessage = squash ? { squashCommitMessage: await this.commitMessage(req.sha) } : {};
    let result: MergeRequestView;
    try {
      result = viewMergeRequest(
        await this.api.mrs.accept(this.project, mr.iid, { ...options, ...squashMessage }),
      );
    } catch (err) {
      return this.refused(err, mr.iid, req);
    }
    // GitLab may answer before the merge is done: wait for the "merged" state.
    while (result.state !== 'merged') {
      if (result.state === 'closed')
        return { kind: 'rejected', detail: `merge request !${mr.iid} was closed while merging` };
      if (clock.expired())
        throw new WorkFailedError(
          `GitLab accepted !${mr.iid} but did not mark it merged within ${seconds(clock.totalLimitMs)}.`,
        );
      await clock.tick();
      result = await this.show(mr.iid);
    }
    return result;
  }

  private async refused(
    err: unknown,
    iid: number,
    req: LandRequest,
  ): Promise<MergeRequestView | LandResult> {
    const status = gitlabStatus(err);
    if (err instanceof GitLabUnreachableError || (status !== undefined && status >= 500)) {
      // The accept may have been done with its answer lost: GitLab's word on the MR decides.
      const now = await this.show(iid);
      if (now.state === 'merged' && now.sha === req.sha) return now;
      throw err;
    }
    if (status === undefined || status === 401 || status === 429) throw err;
    const why = gitlabMessage(err);
    if (status === 409) return { kind: 'target-moved', detail: `GitLab answered 409: ${why}` };
    if (status === 403 || status === 422)
      return { kind: 'rejected', detail: `GitLab refused to merge !${iid} (${status}): ${why}` };
    if (status !== 404 && status !== 405 && status !== 406) throw err;
    const now = await this.show(iid);
    if (now.state === 'merged')
      return now.sha === req.sha
        ? now
        : { kind: 'rejected', detail: `!${iid} was merged by someone else at another head` };
    if (now.state === 'closed')
      return { kind: 'rejected', detail: `merge request !${iid} was closed while merging` };
    if (now.draft) return { kind: 'rejected', detail: `merge request !${iid} was marked as draft` };
    const base = await this.targetHead(req.signal);
    if (base !== req.expectedTarget || MOVED_STATUSES.has(now.detailedMergeStatus)) {
      return {
        kind: 'target-moved',
        detail: `GitLab answered ${status} (${why}) and ${this.deps.config.target} moved`,
      };
    }
    return {
      kind: 'rejected',
      detail: `GitLab refused to merge !${iid} (${status}): ${why}; detailed_merge_status is "${now.detailedMergeStatus}"`,
    };
  }

  protected failure(err: unknown): Error | undefined {
    const setup = setupError(err, this.gl.host);
    if (setup) return setup;
    return err instanceof GitLabApiError ? new WorkFailedError(err.message) : undefined;
  }
}

function openRequest(mr: MergeRequestView): OpenRequest {
  return {
    id: mr.iid,
    url: mr.webUrl,
    target: mr.targetBranch,
    title: mr.title,
    body: mr.description,
  };
}
