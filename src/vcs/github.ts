// The GitHub provider: the forge skeleton (forge-provider.ts) over @octokit/rest. It waits for the
// required checks on the exact head SHA and for GitHub to compute mergeability, then merges that
// SHA with `pulls.merge({ sha })`. A 405/409 means the head or base moved: the queue rebuilds and
// tries again, nothing is retried blindly. The merge commit GitHub made becomes the local target.
import type { Config } from '../config/schema.js';
import { UsageError, WorkFailedError } from '../core/errors.js';
import {
  ForgeProvider,
  type Landed,
  type OpenRequest,
  type RequestText,
} from './forge-provider.js';
import { seconds, type WaitClock } from './forge-wait.js';
import { requiredChecks, waitForChecks, type RepoRef } from './github-checks.js';
import {
  createGitHubClient,
  githubMessage,
  httpStatus,
  isRateLimited,
  noAnswer,
  readToken,
  setupError,
  type GitHubApi,
} from './github-client.js';
import type { ForgeProviderDeps, LandRequest, LandResult } from './types.js';

type GitHubConfig = NonNullable<Config['github']>;
type PullRequest = Awaited<ReturnType<GitHubApi['rest']['pulls']['get']>>['data'];
type Ready = { kind: 'ready'; pr: PullRequest };

const MOVED =
  /base branch was modified|head branch was modified|not up to date|out of date|head branch is not|sha .*does not match/i;
const BLOCKED =
  /approving review|review is required|reviews? required|status checks? .*(required|expected)|protected branch|merge queue/i;

export class GitHubProvider extends ForgeProvider<Ready> {
  private readonly repo: RepoRef;

  private constructor(
    private readonly api: GitHubApi,
    private readonly gh: GitHubConfig,
    deps: ForgeProviderDeps,
  ) {
    super('github', 'GitHub', gh, deps);
    this.repo = { owner: gh.owner, repo: gh.repo };
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
    return new GitHubProvider(api, gh, deps).checkRemote();
  }

  protected requestName(id: number): string {
    return `pull request #${id}`;
  }

  protected async findRequest(branch: string): Promise<OpenRequest | undefined> {
    const { data } = await this.api.rest.pulls.list({
      ...this.repo,
      head: `${this.repo.owner}:${branch}`,
      state: 'open',
      per_page: 20,
    });
    const pr = data.find((p) => p.head.ref === branch);
    return pr && openRequest(pr);
  }

  protected async openRequest(text: RequestText): Promise<OpenRequest> {
    const { data } = await this.api.rest.pulls.create({
      ...this.repo,
      head: text.branch,
      base: text.target,
      title: text.title,
      body: text.body,
    });
    return openRequest(data);
  }

  /** A dropped connection, then plugin-retry's second try answered 422 "already exists". */
  protected override mayHaveOpened(err: unknown): boolean {
    return httpStatus(err) === 422 || noAnswer(err);
  }

  protected openRefused(err: unknown, branch: string): string | undefined {
    // e.g. "No commits between main and ym/x", or no permission: waiting will not help.
    if (httpStatus(err) === 422 || (httpStatus(err) === 403 && !isRateLimited(err))) {
      return `GitHub refused to open a pull request for ${branch}: ${githubMessage(err)}`;
    }
    return undefined;
  }

  protected async updateRequest(id: number, text: RequestText): Promise<OpenRequest> {
    const { data } = await this.api.rest.pulls.update({
      ...this.repo,
      pull_number: id,
      base: text.target,
      title: text.title,
      body: text.body,
    });
    return openRequest(data);
  }

  protected async comment(id: number, body: string): Promise<void> {
    await this.api.rest.issues.createComment({ ...this.repo, issue_number: id, body });
  }

  protected async removeBranch(branch: string): Promise<void> {
    try {
      await this.api.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}` });
    } catch (err) {
      // Already gone (GitHub's "automatically delete head branches", or a person): fine.
      if (httpStatus(err) === 422 || httpStatus(err) === 404) return;
      throw err;
    }
  }

  /** The required checks on that exact SHA, then GitHub's mergeability of the pull request. */
  protected async waitReady(
    open: OpenRequest,
    req: LandRequest,
    clock: WaitClock,
  ): Promise<Ready | LandResult> {
    const required = await requiredChecks(
      this.api,
      this.repo,
      this.deps.config.target,
      this.deps.config,
    );
    if (required.names.length)
      this.deps.report(
        req.trackId,
        `waiting for ${required.names.join(', ')} on ${req.sha.slice(0, 12)} (from ${required.source})`,
      );
    const checks = await waitForChecks(this.api, this.repo, req.sha, required, clock);
    if (checks.kind === 'failed') return { kind: 'checks-failed', detail: checks.detail };
    return this.waitMergeable(open.id, req, clock);
  }

  /** Polls the pull request until GitHub shows our head and has computed `mergeable`. */
  private async waitMergeable(
    pullNumber: number,
    req: LandRequest,
    clock: WaitClock,
  ): Promise<Ready | LandResult> {
    for (;;) {
      const { data: pr } = await this.api.rest.pulls.get({ ...this.repo, pull_number: pullNumber });
      if (pr.merged) {
        if (pr.head.sha === req.sha && pr.merge_commit_sha) return { kind: 'ready', pr };
        return {
          kind: 'rejected',
          detail: `pull request #${pullNumber} was merged by someone else at another head`,
        };
      }
      if (pr.state !== 'open')
        return { kind: 'rejected', detail: `pull request #${pullNumber} was closed on GitHub` };
      if (pr.head.sha === req.sha && pr.mergeable === true) return { kind: 'ready', pr };
      if (pr.head.sha === req.sha && pr.mergeable === false) {
        const base = await this.targetHead(req.signal);
        if (base !== req.expectedTarget || pr.mergeable_state === 'dirty') {
          return {
            kind: 'target-moved',
            detail: `GitHub reports #${pullNumber} as not mergeable (${pr.mergeable_state})`,
          };
        }
        return {
          kind: 'rejected',
          detail: `GitHub says pull request #${pullNumber} cannot be merged (mergeable_state: ${pr.mergeable_state})`,
        };
      }
      if (clock.expired()) {
        throw new WorkFailedError(
          `GitHub did not settle pull request #${pullNumber} within ${seconds(clock.totalLimitMs)} (head ${pr.head.sha.slice(0, 12)}, mergeable ${String(pr.mergeable)}).`,
        );
      }
      await clock.tick();
    }
  }

  protected async merge({ pr }: Ready, req: LandRequest): Promise<LandResult> {
    if (pr.merged && pr.merge_commit_sha)
      return { kind: 'landed', targetSha: pr.merge_commit_sha, url: pr.html_url };
    const message = await this.mergeMessage(req);
    try {
      const { data } = await this.api.rest.pulls.merge({
        ...this.repo,
        pull_number: pr.number,
        sha: req.sha,
        merge_method: req.strategy,
        ...message,
      });
      if (!data.merged)
        return { kind: 'rejected', detail: `GitHub did not merge #${pr.number}: ${data.message}` };
      return { kind: 'landed', targetSha: data.sha, url: pr.html_url };
    } catch (err) {
      const status = httpStatus(err);
      if (isRateLimited(err)) throw err;
      // The merge may have happened with its answer lost (a dropped connection or a timeout,
      // and plugin-retry's next try then refused with 405): GitHub's word on the PR decides.
      const { data: now } = await this.api.rest.pulls.get({ ...this.repo, pull_number: pr.number });
      if (now.merged && now.merge_commit_sha) {
        if (now.head.sha === req.sha)
          return { kind: 'landed', targetSha: now.merge_commit_sha, url: pr.html_url };
        return {
          kind: 'rejected',
          detail: `pull request #${pr.number} was merged by someone else at another head`,
        };
      }
      const why = githubMessage(err);
      if (status === 405 || status === 409) {
        if (status === 405 && BLOCKED.test(why) && !MOVED.test(why))
          return { kind: 'rejected', detail: `GitHub refused to merge #${pr.number}: ${why}` };
        return { kind: 'target-moved', detail: `GitHub answered ${status}: ${why}` };
      }
      if (status === 403 || status === 404 || status === 422)
        return {
          kind: 'rejected',
          detail: `GitHub refused to merge #${pr.number} (${status}): ${why}`,
        };
      throw err;
    }
  }

  /** GitHub pins the head but not the base: a target that moved during the merge shows as another tree. */
  protected override async afterAdopt(landed: Landed, req: LandRequest): Promise<void> {
    if (await this.forgeGit.sameTree(landed.targetSha, req.sha)) return;
    this.deps.report(
      req.trackId,
      `warning: GitHub's merge ${landed.targetSha.slice(0, 12)} differs from the validated tree of ${req.sha.slice(0, 12)}: ${this.deps.config.target} moved during the merge; enable "Require branches to be up to date before merging"`,
    );
  }

  protected failure(err: unknown): Error | undefined {
    const setup = setupError(err, this.gh.baseUrl);
    if (setup) return setup;
    const status = httpStatus(err);
    return status === undefined
      ? undefined
      : new WorkFailedError(`GitHub answered ${status}: ${githubMessage(err)}`);
  }

  /**
   * Commit title and message for merge and squash. A squash keeps the validated squash commit's
   * own message, whose Yardmaster-Track/Task trailers `ym revert` relies on.
   */
  private async mergeMessage(
    req: LandRequest,
  ): Promise<{ commit_title?: string; commit_message?: string }> {
    if (req.strategy === 'rebase') return {};
    if (req.strategy === 'merge')
      return {
        commit_title: `Merge track ${req.trackId}: ${req.title}`,
        commit_message: `Yardmaster-Track: ${req.trackId}`,
      };
    const [subject = '', ...rest] = (await this.commitMessage(req.sha)).split('\n');
    return {
      commit_title: subject || `${req.title} (${req.trackId})`,
      commit_message: rest.join('\n').trim() || `Yardmaster-Track: ${req.trackId}`,
    };
  }
}

function openRequest(pr: {
  number: number;
  html_url: string;
  base: { ref: string };
  title: string;
  body: string | null;
}): OpenRequest {
  return {
    id: pr.number,
    url: pr.html_url,
    target: pr.base.ref,
    title: pr.title,
    body: pr.body ?? '',
  };
}
