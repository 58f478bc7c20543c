// The shape of validation results, shared by implement's quality loop, the merge queue,
// `ym validate` and CI. The runner itself lives in src/checks/run.ts.

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

/** Names of the built-in checks, in the order they run. */
export const BUILTIN_CHECKS = [
  'plan-complete',
  'conflict-markers',
  'scope',
  'up-to-date',
  'trailers',
] as const;
export type BuiltinCheckName = (typeof BUILTIN_CHECKS)[number];

export interface CheckResult {
  name: string;
  /** `builtin` checks come with yardmaster; `command` checks come from yardmaster.json. */
  kind: 'builtin' | 'command';
  status: CheckStatus;
  /** A failing `warn`-level built-in check does not fail the report. */
  level: 'fail' | 'warn';
  exitCode: number | null;
  durationMs: number;
  /** The last lines of its output (bounded), for feedback files, tables and JUnit. */
  outputTail: string;
  /** One line saying why, for skip/error/fail. */
  message?: string;
  /** What ran: the command as the user wrote it (command checks only). */
  command?: string;
  /** True when the check was stopped by its timeout (its whole process group was killed). */
  timedOut?: boolean;
}

export interface CheckReport {
  /** True when no check with level `fail` failed or errored. */
  ok: boolean;
  results: CheckResult[];
  /** The commit the checks ran on (HEAD of the worktree, or `CheckRequest.rev`). */
  headSha: string;
  /** Where the target's history meets the checked commit; null when it could not be found. */
  mergeBase: string | null;
  /** Files changed between `mergeBase` and `headSha` (renames as delete + add), when known. */
  changed?: string[] | null;
  durationMs: number;
  /** True when `CheckRequest.signal` stopped the run before every check finished. */
  interrupted: boolean;
}

export interface CheckRequest {
  /** Directory to run in: the track's worktree (or a CI checkout). */
  cwd: string;
  trackId: string;
  /** Ref of the target branch, for "branch contains the target" and the changed files. */
  target: string;
  /**
   * Commit the built-in checks judge (default HEAD, with plan.md and track.json read from the
   * working tree). Given by the pre-push hook, which checks the commit being pushed; then the
   * track's documents are read from that commit.
   */
  rev?: string;
  /**
   * What the caller already knows, so git is not asked again: `cwd` is the checkout's root, its
   * HEAD is `head` (implement's attempt has just read it, the merge queue has just built it)
   * and, when given, the target is at `targetSha` and `base` is their merge-base. The track's
   * documents are still read from the working tree. Ignored with `rev`.
   */
  resolved?: { head: string; targetSha?: string | undefined; base?: string | undefined };
  /** Append every check's output here (the run log), when given. */
  logFile?: string;
  /** `builtin` runs only the fast built-in checks (pre-push hook). */
  only?: 'builtin' | 'all';
  /** Built-in checks that do not apply to this commit (e.g. plan-complete for a revert), and why. */
  skipBuiltin?: { names: readonly BuiltinCheckName[]; why: string };
  /** Extra environment for command checks (YM_TRACK_ID and YM_TARGET are always set). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Progress: a check is about to start. */
  onStart?: (name: string, kind: CheckResult['kind']) => void;
  /** Progress: a check finished. */
  onResult?: (result: CheckResult) => void;
}
