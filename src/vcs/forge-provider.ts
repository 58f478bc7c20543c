// The skeleton both forge providers share: push the validated head, find or open its pull/merge
// request, wait until the forge is ready to merge exactly that SHA, make sure the target has not
// moved, merge, and adopt the forge's merge commit as the local target; plus the failure comment,
// the branch clean-up and one mapping of setup failures. A forge (github.ts, gitlab.ts) supplies
// only its API calls, its readiness and status mapping, and its error codes.
import { YmError } from '../core/errors.js';
import { ForgeGit } from './forge-git.js';
import { failureComment, requestBody } from './forge-text.js';
import { WaitClock, type WaitConfig } from './forge-wait.js';
import type { ForgeProviderDeps, LandRequest, LandResult, VcsProvider } from './types.js';

/** A pull/merge request as the skeleton sees it. */
export interface OpenRequest {
  /** GitHub's pull request number, GitLab's merge request iid. */
  id: number;
  url: string;
  target: string;
  title: string;
  body: string;
}

/** What yardmaster writes on a request it opens or updates. */
export interface RequestText {
  branch: string;
  target: string;
  title: string;
  body: string;
}

/** The settings every forge section has (`github`, `gitlab`): the remote and the wait budgets. */
export interface ForgeSettings extends WaitConfig {
  remote: string;
}

export type Landed = Extract<LandResult, { kind: 'landed' }>;

export abstract class ForgeProvider<Ready extends { kind: 'ready' }> implements VcsProvider {
  protected readonly forgeGit: ForgeGit;

  protected constructor(
    readonly name: 'github' | 'gitlab',
    /** The forge's name in messages ("GitHub", "GitLab"). */
    protected readonly forge: string,
    private readonly settings: ForgeSettings,
    protected readonly deps: ForgeProviderDeps,
  ) {
    this.forgeGit = new ForgeGit(deps.git, settings.remote, name);
  }

  /** "pull request #12", "merge request !12". */
  protected abstract requestName(id: number): string;
  /** The open request whose head is `branch`, if any. */
  protected abstract findRequest(branch: string): Promise<OpenRequest | undefined>;
  protected abstract openRequest(text: RequestText): Promise<OpenRequest>;
  /** The rejection detail when the forge refused to open a request (waiting will not help). */
  protected abstract openRefused(err: unknown, branch: string): string | undefined;
  protected abstract updateRequest(id: number, text: RequestText): Promise<OpenRequest>;
  protected abstract comment(id: number, body: string): Promise<void>;
  /** Deletes the branch on the forge; a branch that is already gone is fine. */
  protected abstract removeBranch(branch: string): Promise<void>;
  /** Waits for the forge's checks on `req.sha` and for it to be mergeable, or says why not. */
  protected abstract waitReady(
    open: OpenRequest,
    req: LandRequest,
    clock: WaitClock,
  ): Promise<Ready | LandResult>;
  /** Merges exactly `req.sha`; the forge's refusals become target-moved or rejected. */
  protected abstract merge(ready: Ready, req: LandRequest, clock: WaitClock): Promise<LandResult>;
  /** The clear error for a failure of the forge's API (token, rate limit, network, HTTP status); undefined to let it go on. */
  protected abstract failure(err: unknown): Error | undefined;

  /** Whether a failed open may have opened the request anyway (its answer lost): then it is looked up again. */
  protected mayHaveOpened(_err: unknown): boolean {
    return false;
  }

  /** Whether the target must still be where the candidate was built before merging `ready`. */
  protected targetCheckNeeded(_ready: Ready): boolean {
    return true;
  }

  /** Runs after the forge's merge commit became the local target. */
  protected async afterAdopt(_landed: Landed, _req: LandRequest): Promise<void> {}

  /** Fails with a usage error when the configured remote does not exist; returns the provider. */
  protected async checkRemote(): Promise<this> {
    await this.forgeGit.ensureRemote();
    return this;
  }

  syncTarget(target: string, signal: AbortSignal): Promise<string> {
    return this.guard(() => this.forgeGit.syncTarget(target, signal));
  }

  land(req: LandRequest): Promise<LandResult> {
    return this.guard(async () => {
      const target = this.deps.config.target;
      const pushed = await this.forgeGit.pushBranch(req.branch, req.sha, req.signal);
      if (pushed.kind === 'rejected') return { kind: 'rejected', detail: pushed.detail };
      const open = await this.ensureRequest(req, target);
      if ('kind' in open) return open;
      this.deps.report(req.trackId, `${this.requestName(open.id)}: ${open.url}`);
      const clock = new WaitClock(this.settings, req.signal);
      const ready = await this.waitReady(open, req, clock);
      if (ready.kind !== 'ready') return ready;
      // The forge pins the head with `sha` but not the base: make sure it is still the one the
      // candidate was built and validated on.
      if (this.targetCheckNeeded(ready)) {
        const base = await this.targetHead(req.signal);
        if (base !== req.expectedTarget)
          return {
            kind: 'target-moved',
            detail: `${target} is now at ${base?.slice(0, 12) ?? 'nothing'} on ${this.forge}`,
          };
      }
      const merged = await this.merge(ready, req, clock);
      if (merged.kind !== 'landed') return merged;
      if (
        !(await this.forgeGit.adoptMerge(target, merged.targetSha, req.expectedTarget, req.signal))
      ) {
        this.deps.report(
          req.trackId,
          `warning: the local ${target} moved meanwhile; it was not updated to ${merged.targetSha.slice(0, 12)}`,
        );
      } else {
        await this.afterAdopt(merged, req);
      }
      return merged;
    });
  }

  async reportFailure(trackId: string, branch: string, message: string): Promise<void> {
    await this.guard(async () => {
      const open = await this.findRequest(branch);
      if (open) await this.comment(open.id, failureComment(trackId, message));
    });
  }

  async deleteRemoteBranch(branch: string): Promise<void> {
    await this.guard(() => this.removeBranch(branch));
  }

  /** The target's SHA on the forge (null when it has no such branch). */
  protected targetHead(signal: AbortSignal): Promise<string | null> {
    return this.forgeGit.remoteHead(this.deps.config.target, signal);
  }

  /** The full message of a commit (the validated one keeps its trailers through a squash). */
  protected commitMessage(sha: string): Promise<string> {
    return this.deps.git(['log', '-1', '--format=%B', sha]);
  }

  /** Finds the open request for the branch or opens one; title and body are rewritten only when they changed. */
  private async ensureRequest(req: LandRequest, target: string): Promise<OpenRequest | LandResult> {
    const text: RequestText = {
      branch: req.branch,
      target,
      title: `${req.title} (${req.trackId})`,
      body: requestBody(req),
    };
    const open = await this.findRequest(req.branch);
    if (!open) {
      try {
        return await this.openRequest(text);
      } catch (err) {
        const opened = this.mayHaveOpened(err) ? await this.findRequest(req.branch) : undefined;
        if (opened) return opened;
        const refused = this.openRefused(err, req.branch);
        if (refused !== undefined) return { kind: 'rejected', detail: refused };
        throw err;
      }
    }
    if (open.target === target && open.body === text.body && open.title === text.title) return open;
    return this.updateRequest(open.id, text);
  }

  /** Maps setup failures (token, rate limit, network) to one clear error; the rest goes on. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof YmError) throw err;
      const clear = this.failure(err);
      if (clear) throw clear;
      throw err;
    }
  }
}
