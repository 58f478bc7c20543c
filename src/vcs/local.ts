// The local provider: plain git. The target ref moves only by compare-and-swap
// (`git update-ref <ref> <new> <expected-old>`); with `merge.push`, the target is pushed as a
// plain fast-forward first, so a remote that moved is a re-loop, never an overwrite.
import { looseRef } from '../git/files.js';
import type { Config } from '../config/schema.js';
import { WorkFailedError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import type { LandRequest, LandResult, VcsProvider } from './types.js';

export class LocalProvider implements VcsProvider {
  readonly name = 'local' as const;
  /** What this provider last moved the target to. */
  private landed: { ref: string; sha: string } | null = null;
  constructor(
    private readonly git: Git,
    private readonly config: Config,
    private readonly remote: string = 'origin',
    /** git's common dir, where the target's loose ref lives (lets syncTarget skip a process). */
    private readonly commonDir: string | null = null,
  ) {}

  async syncTarget(target: string): Promise<string> {
    if (this.config.merge.push && (await this.hasRemote())) {
      // Only a fast-forward of the local target to the remote one; a diverged local target is
      // left alone and landing will fail with a clear reason.
      await this.git(['fetch', '--quiet', this.remote, `refs/heads/${target}`]);
      const remoteSha = await this.git(['rev-parse', 'FETCH_HEAD']);
      const localSha = await this.git(['rev-parse', `refs/heads/${target}`]);
      if (
        remoteSha !== localSha &&
        (await this.git.ok(['merge-base', '--is-ancestor', localSha, remoteSha]))
      ) {
        await this.git(['update-ref', `refs/heads/${target}`, remoteSha, localSha]);
      } else if (
        remoteSha !== localSha &&
        !(await this.git.ok(['merge-base', '--is-ancestor', remoteSha, localSha]))
      ) {
        // Neither contains the other: someone rewrote (force-pushed) the remote target, or the
        // local one has commits of its own. Only a person can say which history wins; pushing
        // would be refused on every try, so stop with the reason instead of looping.
        throw new WorkFailedError(
          `${target} on ${this.remote} (${remoteSha.slice(0, 12)}) and the local ${target} (${localSha.slice(0, 12)}) have diverged: ${target} was force-pushed or reset on ${this.remote}, or the local one has commits of its own. Nothing was pushed; the tracks stay ready.`,
          {
            hint: `Reconcile them (e.g. \`git fetch ${this.remote}\` then \`git rebase ${this.remote}/${target} ${target}\`, or reset ${target} to ${this.remote}/${target}), then run \`ym merge\` again.`,
          },
        );
      }
    }
    const ref = `refs/heads/${target}`;
    // Still where our last landing put it: its loose ref file says so. Anything else (packed,
    // moved, another ref format) asks git. A stale answer could only fail the CAS when landing.
    if (
      this.landed?.ref === ref &&
      this.commonDir &&
      looseRef(this.commonDir, ref) === this.landed.sha
    )
      return this.landed.sha;
    return this.git(['rev-parse', '--verify', `${ref}^{commit}`]);
  }

  async land(req: LandRequest): Promise<LandResult> {
    const ref = `refs/heads/${this.config.target}`;
    if (this.config.merge.push && (await this.hasRemote())) {
      // No --force of any kind: the remote accepts only a fast-forward.
      const pushed = await this.git.ok(['push', '--quiet', this.remote, `${req.sha}:${ref}`]);
      if (!pushed)
        return {
          kind: 'target-moved',
          detail: `the remote ${this.remote} refused a fast-forward of ${this.config.target}`,
        };
    }
    const ok = await this.git.ok([
      'update-ref',
      '-m',
      `yardmaster: land ${req.trackId}`,
      ref,
      req.sha,
      req.expectedTarget,
    ]);
    if (!ok)
      return {
        kind: 'target-moved',
        detail: `${this.config.target} is no longer at ${req.expectedTarget.slice(0, 12)}`,
      };
    this.landed = { ref, sha: req.sha };
    return { kind: 'landed', targetSha: req.sha };
  }

  async reportFailure(): Promise<void> {}
  async deleteRemoteBranch(): Promise<void> {}

  private async hasRemote(): Promise<boolean> {
    return this.git.ok(['remote', 'get-url', this.remote]);
  }
}
