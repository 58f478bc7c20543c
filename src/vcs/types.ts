// The one interface the merge queue talks to. `local` moves the target ref itself; `github` and
// `gitlab` push the branch, open or update a pull/merge request, wait for the forge's checks on
// that exact head, and merge that exact SHA. The queue never knows which one it has.
import type { CheckReport } from '../checks/types.js';
import type { Config } from '../config/schema.js';
import type { Git } from '../git/git.js';

export interface LandRequest {
  trackId: string;
  title: string;
  /** The track branch (after rebase, it points at `sha`). */
  branch: string;
  /** The validated commit: the exact tree the checks passed on. */
  sha: string;
  /** Where the target was when `sha` was built; landing fails if it moved. */
  expectedTarget: string;
  strategy: 'rebase' | 'merge' | 'squash';
  /** Local check results, for PR bodies and comments. */
  report: CheckReport;
  /** Spec and plan progress, for PR descriptions. */
  description: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
}

export type LandResult =
  | { kind: 'landed'; targetSha: string; url?: string }
  /** The target moved under us: rebuild on the new target and try again (never force). */
  | { kind: 'target-moved'; detail: string }
  /** The forge's checks failed, or never reported: back to the agent with this feedback. */
  | { kind: 'checks-failed'; detail: string }
  /** The forge refused for a reason a retry will not fix (permissions, branch protection). */
  | { kind: 'rejected'; detail: string };

export interface VcsProvider {
  readonly name: 'local' | 'github' | 'gitlab';
  /** Brings the local target ref up to date (fetch for forges and remotes); returns its SHA. */
  syncTarget(target: string, signal: AbortSignal): Promise<string>;
  /** Merges exactly `req.sha` into the target, or says why not. */
  land(req: LandRequest): Promise<LandResult>;
  /** Says on the PR/MR (when there is one) that the track failed or conflicted. */
  reportFailure(trackId: string, branch: string, message: string): Promise<void>;
  /** Removes the remote branch after landing (local: nothing). */
  deleteRemoteBranch(branch: string): Promise<void>;
}

/** What the forge providers (github, gitlab) are built from. */
export interface ForgeProviderDeps {
  git: Git;
  config: Config;
  /** The environment the token is read from (the command's, never a file). */
  env: NodeJS.ProcessEnv;
  report: (trackId: string | null, text: string) => void;
  /** Milliseconds per retry unit of the HTTP clients (tests make it small). */
  retryBaseMs?: number;
}
