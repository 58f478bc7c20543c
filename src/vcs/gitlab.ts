// The GitLab provider: push the validated head, find or open its merge request, wait for the
// head pipeline of that exact SHA and for GitLab's `detailed_merge_status`, then accept with
// `{ sha }`. Refusals are read the way marge-bot reads them: 405/406 re-check the MR and the
// target (moved: rebuild; else stop with GitLab's reason), 409 means the head moved, 422 stops.
import type { Branches, MergeRequestNotes, MergeRequests } from '@gitbeaker/rest';
import { UsageError, WorkFailedError, YmError } from '../core/errors.js';
import { ForgeGit } from './forge-git.js';
import { failureComment, requestBody } from './forge-text.js';
import { WaitClock, seconds } from './forge-wait.js';
import { GitLabApiError, GitLabUnreachableError, createRequesterFn, gitlabMessage, gitlabStatus, readToken, setupError } from './gitlab-client.js';
import { MOVED_STATUSES, PIPELINE_FAILED, WAIT_STATUSES, mergedSha, viewMergeRequest, type MergeRequestView } from './gitlab-mr.js';
import type { ForgeProviderDeps, LandRequest, LandResult, VcsProvider } from './types.js';

type GitLabConfig = NonNullable<ForgeProviderDeps['config']['gitlab']>;
interface Api {
  mrs: MergeRequests;
  notes: MergeRequestNotes;
  branches: Branches;
}
type Ready = { kind: 'ready'; mr: MergeRequestView };

export class GitLabProvider implements VcsProvider {
  readonly name = 'gitlab' as const;
  private readonly forgeGit: ForgeGit;
  private readonly project: string;

  private constructor(
    private readonly api: Api,
    private readonly gl: GitLabConfig,
    private readonly deps: ForgeProviderDeps,
  ) {
    this.project = gl.project;
    this.forgeGit = new ForgeGit(deps.git, gl.remote, 'gitlab');
  }

  static async create(deps: ForgeProviderDeps): Promise<GitLabProvider> {
    const gl = deps.config.gitlab;
    if (!gl) {
      throw new UsageError('The GitLab provider needs a "gitlab" section in yardmaster.json.', {
        hint: 'Add "gitlab": { "project": "<group>/<name>" } (and "host" for a self-managed GitLab).',
      });
    }
    const token = readToken(deps.env);
    const { MergeRequests: Mrs, MergeRequestNotes: Notes, Branches: Br } = await import('@gitbeaker/rest');
    const requesterFn = createRequesterFn({ baseMs: deps.retryBaseMs ?? 1000, requestTimeoutMs: gl.requestTimeoutSec * 1000, notice: (text) => deps.report(null, text) });
    const options = { host: gl.host.replace(/\/+$/, ''), token, requesterFn };
    const provider = new GitLabProvider({ mrs: new Mrs(options), notes: new Notes(options), branches: new Br(options) }, gl, deps);
    await provider.forgeGit.ensureRemote();
    return provider;
  }

  syncTarget(target: string, signal: AbortSignal): Promise<string> {
    return this.guard(() => this.forgeGit.syncTarget(target, signal));
  }

  land(req: LandRequest): Promise<LandResult> {
    return this.guard(async () => {
      const target = this.deps.config.target;
      const pushed = await this.forgeGit.pushBranch(req.branch, req.sha, req.signal);
      if (pushed.kind === 'rejected') return { kind: 'rejected', detail: pushed.detail };
      const mr = await this.ensureMergeRequest(req, target);
      if ('kind' in mr) return mr;
      this.deps.report(req.trackId, `merge request !${mr.iid}: ${mr.webUrl}`);
      const clock = new WaitClock(this.gl, req.signal);
      const ready = await this.waitReady(mr.iid, req, clock);
      if (ready.kind !== 'ready') return ready;
      const base = await this.forgeGit.remoteHead(target, req.signal);
      if (ready.mr.state !== 'merged' && base !== req.expectedTarget) {
        return { kind: 'target-moved', detail: `${target} is now at ${base?.slice(0, 12) ?? 'nothing'} on GitLab` };
      }
      const merged = ready.mr.state === 'merged' ? ready.mr : await this.accept(ready.mr, req, clock);
      if ('kind' in merged) return merged;
      const sha = mergedSha(merged);
      if (!(await this.forgeGit.adoptMerge(target, sha, req.expectedTarget, req.signal))) {
        this.deps.report(req.trackId, `warning: the local ${target} moved meanwhile; it was not updated to ${sha.slice(0, 12)}`);
      }
      return { kind: 'landed', targetSha: sha, url: merged.webUrl };
    });
  }

  async reportFailure(trackId: string, branch: string, message: string): Promise<void> {
    await this.guard(async () => {
      const mr = await this.findMergeRequest(branch);
      if (mr) await this.api.notes.create(this.project, mr.iid, failureComment(trackId, message));
    });
  }

  async deleteRemoteBranch(branch: string): Promise<void> {
    await this.guard(async () => {
      try {
        await this.api.branches.remove(this.project, branch);
      } catch (err) {
        // Already gone (removed with the merge, or by a person): fine.
        if (gitlabStatus(err) === 404) return;
        throw err;
      }
    });
  }

  private async findMergeRequest(branch: string): Promise<MergeRequestView | undefined> {
    const list: unknown[] = await this.api.mrs.all({ projectId: this.project, sourceBranch: branch, state: 'opened' });
    return list.map(viewMergeRequest).find((m) => m.sourceBranch === branch);
  }

  private async ensureMergeRequest(req: LandRequest, target: string): Promise<MergeRequestView | LandResult> {
    const description = requestBody(req);
    const title = `${req.title} (${req.trackId})`;
    const open = await this.findMergeRequest(req.branch);
    if (!open) {
      try {
        return viewMergeRequest(await this.api.mrs.create(this.project, req.branch, target, title, { description }));
      } catch (err) {
        const status = gitlabStatus(err);
        if (status === 400 || status === 403 || status === 409 || status === 422) {
          return { kind: 'rejected', detail: `GitLab refused to open a merge request for ${req.branch} (${status}): ${gitlabMessage(err)}` };
        }
        throw err;
      }
    }
    if (open.targetBranch !== target || open.description !== description || open.title !== title) {
      return viewMergeRequest(await this.api.mrs.edit(this.project, open.iid, { targetBranch: target, title, description }));
    }
    return open;
  }

  private async show(iid: number): Promise<MergeRequestView> {
    return viewMergeRequest(await this.api.mrs.show(this.project, iid));
  }

  /** Waits for GitLab to see our head, for its pipeline on that SHA, and for a mergeable status. */
  private async waitReady(iid: number, req: LandRequest, clock: WaitClock): Promise<Ready | LandResult> {
    const short = req.sha.slice(0, 12);
    for (;;) {
      const mr = await this.show(iid);
      if (mr.state === 'merged') {
        return mr.sha === req.sha ? { kind: 'ready', mr } : { kind: 'rejected', detail: `merge request !${iid} was merged by someone else at another head` };
      }
      if (mr.state !== 'opened') return { kind: 'rejected', detail: `merge request !${iid} is ${mr.state} on GitLab` };
      const pipe = mr.headPipeline;
      const ours = mr.sha === req.sha && pipe !== null && pipe.sha === req.sha;
      if (mr.sha === req.sha && this.gl.requirePipeline && ours && PIPELINE_FAILED.has(pipe.status)) {
        return { kind: 'checks-failed', detail: `GitLab pipeline #${pipe.id} ${pipe.status} on ${short} (${pipe.webUrl})` };
      }
      const pipelineDone = !this.gl.requirePipeline || (ours && pipe.status === 'success');
      if (mr.sha === req.sha && pipelineDone) {
        if (mr.detailedMergeStatus === 'mergeable') return { kind: 'ready', mr };
        if (MOVED_STATUSES.has(mr.detailedMergeStatus)) return { kind: 'target-moved', detail: `GitLab reports !${iid} as ${mr.detailedMergeStatus}` };
        if (!WAIT_STATUSES.has(mr.detailedMergeStatus)) {
          return { kind: 'rejected', detail: `GitLab will not merge !${iid}: detailed_merge_status is "${mr.detailedMergeStatus}"` };
        }
      }
      if (!ours && this.gl.requirePipeline && clock.startExpired()) {
        const seen = mr.sha !== req.sha ? `GitLab still shows head ${mr.sha.slice(0, 12)}` : 'no pipeline started';
        return { kind: 'checks-failed', detail: `${seen} for ${short} within ${seconds(clock.startLimitMs)}; make sure CI runs for this branch, or set gitlab.requirePipeline to false` };
      }
      if (clock.expired()) {
        const what = ours ? `pipeline #${pipe.id} (${pipe.status}, ${mr.detailedMergeStatus})` : `a pipeline on ${short}`;
        return { kind: 'checks-failed', detail: `timed out after ${seconds(clock.totalLimitMs)} waiting for ${what}` };
      }
      await clock.tick();
    }
  }

  /** Accepts at exactly `req.sha`; GitLab's refusals become target-moved or rejected. */
  private async accept(mr: MergeRequestView, req: LandRequest, clock: WaitClock): Promise<MergeRequestView | LandResult> {
    const squash = req.strategy === 'squash';
    const options = { sha: req.sha, squash, shouldRemoveSourceBranch: this.deps.config.merge.deleteBranch };
    const squashMessage = squash ? { squashCommitMessage: await this.deps.git(['log', '-1', '--format=%B', req.sha]) } : {};
    let result: MergeRequestView;
    try {
      result = viewMergeRequest(await this.api.mrs.accept(this.project, mr.iid, { ...options, ...squashMessage }));
    } catch (err) {
      return this.refused(err, mr.iid, req);
    }
    // GitLab may answer before the merge is done: wait for the "merged" state.
    while (result.state !== 'merged') {
      if (result.state === 'closed') return { kind: 'rejected', detail: `merge request !${mr.iid} was closed while merging` };
      if (clock.expired()) throw new WorkFailedError(`GitLab accepted !${mr.iid} but did not mark it merged within ${seconds(clock.totalLimitMs)}.`);
      await clock.tick();
      result = await this.show(mr.iid);
    }
    return result;
  }

  private async refused(err: unknown, iid: number, req: LandRequest): Promise<MergeRequestView | LandResult> {
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
    if (status === 403 || status === 422) return { kind: 'rejected', detail: `GitLab refused to merge !${iid} (${status}): ${why}` };
    if (status !== 404 && status !== 405 && status !== 406) throw err;
    const now = await this.show(iid);
    if (now.state === 'merged') return now.sha === req.sha ? now : { kind: 'rejected', detail: `!${iid} was merged by someone else at another head` };
    if (now.state === 'closed') return { kind: 'rejected', detail: `merge request !${iid} was closed while merging` };
    if (now.draft) return { kind: 'rejected', detail: `merge request !${iid} was marked as draft` };
    const base = await this.forgeGit.remoteHead(this.deps.config.target, req.signal);
    if (base !== req.expectedTarget || MOVED_STATUSES.has(now.detailedMergeStatus)) {
      return { kind: 'target-moved', detail: `GitLab answered ${status} (${why}) and ${this.deps.config.target} moved` };
    }
    return { kind: 'rejected', detail: `GitLab refused to merge !${iid} (${status}): ${why}; detailed_merge_status is "${now.detailedMergeStatus}"` };
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof YmError) throw err;
      const setup = setupError(err, this.gl.host);
      if (setup) throw setup;
      if (err instanceof GitLabApiError) throw new WorkFailedError(err.message);
      throw err;
    }
  }
}
