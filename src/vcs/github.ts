// The GitHub provider: push the validated head, open or update its pull request, wait for the
// required checks on that exact SHA, wait for GitHub to compute mergeability, and merge that SHA
// with `pulls.merge({ sha })`. A 405/409 means the head or base moved: the queue rebuilds and
// tries again, nothing is retried blindly. The merge commit GitHub made becomes the local target.
import type { Config } from '../config/schema.js';
import { UsageError, WorkFailedError, YmError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import { ForgeGit } from './forge-git.js';
import { failureComment, requestBody } from './forge-text.js';
import { WaitClock, seconds } from './forge-wait.js';
import { requiredChecks, waitForChecks, type RepoRef } from './github-checks.js';
import { createGitHubClient, githubMessage, httpStatus, isRateLimited, noAnswer, readToken, setupError, type GitHubApi } from './github-client.js';
import type { ForgeProviderDeps, LandRequest, LandResult, VcsProvider } from './types.js';

type GitHubConfig = NonNullable<Config['github']>;
type PullRequest = Awaited<ReturnType<GitHubApi['rest']['pulls']['get']>>['data'];
type Ready = { kind: 'ready'; pr: PullRequest };

const MOVED = /base branch was modified|head branch was modified|not up to date|out of date|head branch is not|sha .*does not match/i;
const BLOCKED = /approving review|review is required|reviews? required|status checks? .*(required|expected)|protected branch|merge queue/i;

export class GitHubProvider implements VcsProvider {
  readonly name = 'github' as const;
  private readonly repo: RepoRef;
  private readonly forgeGit: ForgeGit;
  private readonly prs = new Map<string, number>();

  private constructor(
    private readonly api: GitHubApi,
    private readonly gh: GitHubConfig,
    private readonly deps: ForgeProviderDeps,
  ) {
    this.repo = { owner: gh.owner, repo: gh.repo };
    this.forgeGit = new ForgeGit(deps.git, gh.remote, 'github');
  }

  static async create(deps: ForgeProviderDeps): Promise<GitHubProvider> {
    const gh = deps.config.github;
    if (!gh) {
      throw new UsageError('The GitHub provider needs a "github" section in yardmaster.json.', {
        hint: 'Add "github": { "owner": "<owner>", "repo": "<repo>" } (and "baseUrl" for GitHub Enterprise).',
      });
    }
    readToken(deps.env);
    const api = await createGitHubClient({
      baseUrl: gh.baseUrl,
      env: deps.env,
      notice: (text) => deps.report(null, text),
      requestTimeoutMs: gh.requestTimeoutSec * 1000,
      ...(deps.retryBaseMs !== undefined ? { retryBaseMs: deps.retryBaseMs } : {}),
    });
    const provider = new GitHubProvider(api, gh, deps);
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
      const pr = await this.ensurePullRequest(req, target);
      if ('kind' in pr) return pr;
      const say = (text: string) => this.deps.report(req.trackId, text);
      say(`pull request #${pr.number}: ${pr.html_url}`);
      const clock = new WaitClock(this.gh, req.signal);
      const required = await requiredChecks(this.api, this.repo, target, this.deps.config);
      if (required.names.length) say(`waiting for ${required.names.join(', ')} on ${req.sha.slice(0, 12)} (from ${required.source})`);
      const checks = await waitForChecks(this.api, this.repo, req.sha, required, clock);
      if (checks.kind === 'failed') return { kind: 'checks-failed', detail: checks.detail };
      const ready = await this.waitMergeable(pr.number, req, clock);
      if (ready.kind !== 'ready') return ready;
      // GitHub pins the head with `sha` but not the base: make sure it is still the one the
      // candidate was built and validated on. (Branch protection's "require branches to be up
      // to date" closes the last gap on GitHub's side.)
      const base = await this.forgeGit.remoteHead(target, req.signal);
      if (base !== req.expectedTarget) return { kind: 'target-moved', detail: `${target} is now at ${base?.slice(0, 12) ?? 'nothing'} on GitHub` };
      const merged = await this.merge(ready.pr, req);
      if (merged.kind !== 'landed') return merged;
      if (!(await this.forgeGit.adoptMerge(target, merged.targetSha, req.expectedTarget, req.signal))) {
        say(`warning: the local ${target} moved meanwhile; it was not updated to ${merged.targetSha.slice(0, 12)}`);
      } else if (!(await this.forgeGit.sameTree(merged.targetSha, req.sha))) {
        say(`warning: GitHub's merge ${merged.targetSha.slice(0, 12)} differs from the validated tree of ${req.sha.slice(0, 12)}: ${target} moved during the merge; enable "Require branches to be up to date before merging"`);
      }
      this.prs.delete(req.branch);
      return merged;
    });
  }

  async reportFailure(trackId: string, branch: string, message: string): Promise<void> {
    await this.guard(async () => {
      const pr = await this.findPullRequest(branch);
      if (pr) await this.api.rest.issues.createComment({ ...this.repo, issue_number: pr.number, body: failureComment(trackId, message) });
    });
  }

  async deleteRemoteBranch(branch: string): Promise<void> {
    await this.guard(async () => {
      try {
        await this.api.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}` });
      } catch (err) {
        // Already gone (GitHub's "automatically delete head branches", or a person): fine.
        if (httpStatus(err) === 422 || httpStatus(err) === 404) return;
        throw err;
      }
    });
  }

  private async findPullRequest(branch: string): Promise<{ number: number; html_url: string; base: { ref: string }; title: string; body: string | null } | undefined> {
    const { data } = await this.api.rest.pulls.list({ ...this.repo, head: `${this.repo.owner}:${branch}`, state: 'open', per_page: 20 });
    return data.find((p) => p.head.ref === branch);
  }

  private async ensurePullRequest(req: LandRequest, target: string): Promise<{ number: number; html_url: string } | LandResult> {
    const body = requestBody(req);
    const title = `${req.title} (${req.trackId})`;
    const open = await this.findPullRequest(req.branch);
    if (!open) {
      try {
        const { data } = await this.api.rest.pulls.create({ ...this.repo, head: req.branch, base: target, title, body });
        this.prs.set(req.branch, data.number);
        return data;
      } catch (err) {
        // The request may have opened it before its answer was lost (a dropped connection,
        // then plugin-retry's second try answered 422 "already exists"): use that one.
        const opened = httpStatus(err) === 422 || noAnswer(err) ? await this.findPullRequest(req.branch) : undefined;
        if (opened) {
          this.prs.set(req.branch, opened.number);
          return opened;
        }
        // e.g. "No commits between main and ym/x", or no permission: waiting will not help.
        if (httpStatus(err) === 422 || (httpStatus(err) === 403 && !isRateLimited(err))) {
          return { kind: 'rejected', detail: `GitHub refused to open a pull request for ${req.branch}: ${githubMessage(err)}` };
        }
        throw err;
      }
    }
    if (open.base.ref !== target || open.body !== body || open.title !== title) {
      await this.api.rest.pulls.update({ ...this.repo, pull_number: open.number, base: target, title, body });
    }
    this.prs.set(req.branch, open.number);
    return open;
  }

  /** Polls the pull request until GitHub shows our head and has computed `mergeable`. */
  private async waitMergeable(pullNumber: number, req: LandRequest, clock: WaitClock): Promise<Ready | LandResult> {
    const target = this.deps.config.target;
    for (;;) {
      const { data: pr } = await this.api.rest.pulls.get({ ...this.repo, pull_number: pullNumber });
      if (pr.merged) {
        if (pr.head.sha === req.sha && pr.merge_commit_sha) return { kind: 'ready', pr };
        return { kind: 'rejected', detail: `pull request #${pullNumber} was merged by someone else at another head` };
      }
      if (pr.state !== 'open') return { kind: 'rejected', detail: `pull request #${pullNumber} was closed on GitHub` };
      if (pr.head.sha === req.sha && pr.mergeable === true) return { kind: 'ready', pr };
      if (pr.head.sha === req.sha && pr.mergeable === false) {
        const base = await this.forgeGit.remoteHead(target, req.signal);
        if (base !== req.expectedTarget || pr.mergeable_state === 'dirty') {
          return { kind: 'target-moved', detail: `GitHub reports #${pullNumber} as not mergeable (${pr.mergeable_state})` };
        }
        return { kind: 'rejected', detail: `GitHub says pull request #${pullNumber} cannot be merged (mergeable_state: ${pr.mergeable_state})` };
      }
      if (clock.expired()) {
        throw new WorkFailedError(`GitHub did not settle pull request #${pullNumber} within ${seconds(clock.totalLimitMs)} (head ${pr.head.sha.slice(0, 12)}, mergeable ${String(pr.mergeable)}).`);
      }
      await clock.tick();
    }
  }

  private async merge(pr: PullRequest, req: LandRequest): Promise<LandResult> {
    if (pr.merged && pr.merge_commit_sha) return { kind: 'landed', targetSha: pr.merge_commit_sha, url: pr.html_url };
    const message = await mergeMessage(this.deps.git, req);
    try {
      const { data } = await this.api.rest.pulls.merge({ ...this.repo, pull_number: pr.number, sha: req.sha, merge_method: req.strategy, ...message });
      if (!data.merged) return { kind: 'rejected', detail: `GitHub did not merge #${pr.number}: ${data.message}` };
      return { kind: 'landed', targetSha: data.sha, url: pr.html_url };
    } catch (err) {
      const status = httpStatus(err);
      if (isRateLimited(err)) throw err;
      // The merge may have happened with its answer lost (a dropped connection or a timeout,
      // and plugin-retry's next try then refused with 405): GitHub's word on the PR decides.
      const { data: now } = await this.api.rest.pulls.get({ ...this.repo, pull_number: pr.number });
      if (now.merged && now.merge_commit_sha) {
        if (now.head.sha === req.sha) return { kind: 'landed', targetSha: now.merge_commit_sha, url: pr.html_url };
        return { kind: 'rejected', detail: `pull request #${pr.number} was merged by someone else at another head` };
      }
      const why = githubMessage(err);
      if (status === 405 || status === 409) {
        if (status === 405 && BLOCKED.test(why) && !MOVED.test(why)) return { kind: 'rejected', detail: `GitHub refused to merge #${pr.number}: ${why}` };
        return { kind: 'target-moved', detail: `GitHub answered ${status}: ${why}` };
      }
      if (status === 403 || status === 404 || status === 422) return { kind: 'rejected', detail: `GitHub refused to merge #${pr.number} (${status}): ${why}` };
      throw err;
    }
  }

  /** Maps setup failures (token, rate limit, network) to one clear error; the rest goes on. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof YmError) throw err;
      const setup = setupError(err, this.gh.baseUrl);
      if (setup) throw setup;
      const status = httpStatus(err);
      if (status !== undefined) throw new WorkFailedError(`GitHub answered ${status}: ${githubMessage(err)}`);
      throw err;
    }
  }
}

/**
 * Commit title and message for merge and squash. A squash keeps the validated squash commit's
 * own message, whose Yardmaster-Track/Task trailers `ym revert` relies on.
 */
async function mergeMessage(git: Git, req: LandRequest): Promise<{ commit_title?: string; commit_message?: string }> {
  if (req.strategy === 'rebase') return {};
  if (req.strategy === 'merge') return { commit_title: `Merge track ${req.trackId}: ${req.title}`, commit_message: `Yardmaster-Track: ${req.trackId}` };
  const [subject = '', ...rest] = (await git(['log', '-1', '--format=%B', req.sha])).split('\n');
  return { commit_title: subject || `${req.title} (${req.trackId})`, commit_message: rest.join('\n').trim() || `Yardmaster-Track: ${req.trackId}` };
}
