// The shape of validation results, shared by implement's quality loop, the merge queue,
// `ym validate` and CI. The runner itself lives in src/checks/run.ts.

export type CheckStatus = 'pass' | 'fail' | 'skip' | 'error';

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
}

export interface CheckReport {
  /** True when no check with level `fail` failed or errored. */
  ok: boolean;
  results: CheckResult[];
  /** The commit the checks ran on (HEAD of the worktree). */
  headSha: string;
  durationMs: number;
}

export interface CheckRequest {
  /** Directory to run in: the track's worktree (or a CI checkout). */
  cwd: string;
  trackId: string;
  /** Ref of the target branch, for "branch contains the target" and the changed files. */
  target: string;
  /** Append every check's output here (the run log), when given. */
  logFile?: string;
  /** `builtin` runs only the fast built-in checks (pre-push hook). */
  only?: 'builtin' | 'all';
  signal?: AbortSignal;
}
