// Git work shared by the forge providers. The target is fetched from the forge's remote and the
// local target ref fast-forwarded by compare-and-swap (the user's checkouts of it follow, keeping
// their uncommitted work); a track branch is pushed with a lease on what the remote had; after
// the forge merged, its merge commit is fetched and becomes the local target, again by CAS.
import { UsageError, WorkFailedError } from '../core/errors.js';
import type { Git } from '../git/git.js';
import { fastForwardCheckout, planCheckouts } from '../merge/checkouts.js';
import { ProcessError } from '../proc/run.js';

export type PushResult =
  { kind: 'pushed'; created: boolean } | { kind: 'rejected'; detail: string };

// No hooks, no prompts: the queue's own pushes and fetches must not stop to ask anything.
const QUIET = { env: { GIT_TERMINAL_PROMPT: '0' } };

export class ForgeGit {
  /** What this process last pushed to each branch: the lease for the next push. */
  private readonly pushed = new Map<string, string>();

  constructor(
    private readonly git: Git,
    readonly remote: string,
    private readonly configKey: string,
  ) {}

  /** Fails with a usage error when the remote is not configured in this repository. */
  async ensureRemote(): Promise<void> {
    if (await this.git.ok(['remote', 'get-url', this.remote])) return;
    throw new UsageError(`The git remote "${this.remote}" does not exist in this repository.`, {
      hint: `Add it (\`git remote add ${this.remote} <url of the forge repository>\`) or set ${this.configKey}.remote in yardmaster.json.`,
    });
  }

  /** The SHA of a branch on the remote, or null when the remote has no such branch. */
  async remoteHead(branch: string, signal?: AbortSignal): Promise<string | null> {
    const out = await this.run(
      ['ls-remote', '--heads', this.remote, `refs/heads/${branch}`],
      signal,
    );
    const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line ? line.split('\t')[0]! : null;
  }

  /**
   * Fetches the target and fast-forwards the local target ref to it by compare-and-swap; the
   * checkouts that have the target checked out are brought along. Returns the target SHA.
   */
  async syncTarget(target: string, signal?: AbortSignal): Promise<string> {
    const remoteSha = await this.fetchBranch(target, signal);
    const ref = `refs/heads/${target}`;
    const local = (await this.git.ok(['rev-parse', '--verify', '--quiet', ref]))
      ? await this.git(['rev-parse', ref])
      : null;
    if (local === remoteSha) return remoteSha;
    if (local && !(await this.git.ok(['merge-base', '--is-ancestor', local, remoteSha]))) {
      throw new UsageError(
        `Your local ${target} has commits that are not on ${this.remote}/${target}.`,
        {
          hint: `The forge merges into ${this.remote}/${target}: push those commits (or reset ${target} to ${this.remote}/${target}), then run \`ym merge\` again.`,
        },
      );
    }
    await this.moveLocalTarget(target, local, remoteSha);
    return remoteSha;
  }

  /** Pushes `sha` to the remote branch: a plain push the first time, else with a lease. */
  async pushBranch(branch: string, sha: string, signal?: AbortSignal): Promise<PushResult> {
    const onRemote = await this.remoteHead(branch, signal);
    if (onRemote === sha) {
      this.pushed.set(branch, sha);
      return { kind: 'pushed', created: false };
    }
    const expected = this.pushed.get(branch) ?? onRemote;
    const lease = expected ? [`--force-with-lease=refs/heads/${branch}:${expected}`] : [];
    try {
      await this.run(
        ['push', '--quiet', '--no-verify', ...lease, this.remote, `${sha}:refs/heads/${branch}`],
        signal,
      );
    } catch (err) {
      if (
        err instanceof ProcessError &&
        /stale info|rejected|non-fast-forward|fetch first/i.test(err.stderr)
      ) {
        return {
          kind: 'rejected',
          detail: `${this.remote} refused the push of ${branch}: someone else changed that branch (expected ${expected?.slice(0, 12) ?? 'no branch'}); look at it, then run \`ym merge\` again`,
        };
      }
      throw new WorkFailedError(`Pushing ${branch} to ${this.remote} failed: ${errText(err)}`, {
        hint: 'Check that git can push to that remote with your usual credentials (`git push` from this repository).',
      });
    }
    this.pushed.set(branch, sha);
    return { kind: 'pushed', created: expected === null };
  }

  /**
   * After the forge merged: fetch its merge commit and move the local target from `expected` to
   * it by compare-and-swap. Returns false when the local target had moved (left alone).
   */
  async adoptMerge(
    target: string,
    mergedSha: string,
    expected: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    await this.fetchBranch(target, signal);
    if (!(await this.git.ok(['cat-file', '-e', `${mergedSha}^{commit}`]))) {
      await this.run(['fetch', '--quiet', '--no-tags', this.remote, mergedSha], signal);
    }
    const ref = `refs/heads/${target}`;
    const local = await this.git(['rev-parse', ref]);
    if (local !== expected) return false;
    await this.moveLocalTarget(target, local, mergedSha);
    return true;
  }

  /** Whether two commits have the same tree (the forge's merge of a validated head). */
  async sameTree(a: string, b: string): Promise<boolean> {
    const [ta, tb] = await Promise.all([
      this.git(['rev-parse', `${a}^{tree}`]),
      this.git(['rev-parse', `${b}^{tree}`]),
    ]);
    return ta === tb;
  }

  private async fetchBranch(branch: string, signal?: AbortSignal): Promise<string> {
    const tracking = `refs/remotes/${this.remote}/${branch}`;
    try {
      await this.run(
        ['fetch', '--quiet', '--no-tags', this.remote, `+refs/heads/${branch}:${tracking}`],
        signal,
      );
    } catch (err) {
      throw new WorkFailedError(`Fetching ${branch} from ${this.remote} failed: ${errText(err)}`, {
        hint: `Check that the branch exists on ${this.remote} and that git can reach it (\`git fetch ${this.remote}\`).`,
      });
    }
    return this.git(['rev-parse', tracking]);
  }

  private async moveLocalTarget(target: string, from: string | null, to: string): Promise<void> {
    const ref = `refs/heads/${target}`;
    const checkouts = from
      ? await planCheckouts(this.git, target, from, to)
      : { update: [], blocked: null };
    if (checkouts.blocked) {
      throw new WorkFailedError(
        `Cannot bring ${target} up to date: ${checkouts.blocked.path} has uncommitted changes to ${checkouts.blocked.files.slice(0, 5).join(', ')}, which changed on ${this.remote}/${target}.`,
        { hint: 'Commit or stash them, then run `ym merge` again.' },
      );
    }
    const ok = await this.git.ok([
      'update-ref',
      '-m',
      'yardmaster: sync with the forge',
      ref,
      to,
      from ?? '',
    ]);
    if (!ok)
      throw new WorkFailedError(
        `${target} moved while yardmaster was updating it; run \`ym merge\` again.`,
      );
    for (const path of checkouts.update) {
      if (from) await fastForwardCheckout(this.git, path, from, to);
    }
  }

  private run(args: string[], signal?: AbortSignal): Promise<string> {
    return this.git(args, { ...QUIET, ...(signal ? { signal } : {}) });
  }
}

function errText(err: unknown): string {
  if (err instanceof ProcessError)
    return err.stderr.trim().split('\n').slice(-3).join(' ') || err.message;
  return err instanceof Error ? err.message : String(err);
}
