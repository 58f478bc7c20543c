// A revert in progress, saved before each risky step (`<state dir>/reverts/<track>.json`), so a
// revert stopped by a conflict (or killed) can be finished with `--continue` or dropped with
// `--abort`. Parsed with zod when read back.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { formatIssues } from '../core/zod-errors.js';

const Sha = z.string().regex(/^[0-9a-f]{40,64}$/);

const Target = z.object({
  sha: Sha,
  subject: z.string(),
  tasks: z.array(z.string()),
  files: z.array(z.string()),
  mainline: z.literal(1).optional(),
  whole: z.enum(['merge', 'squash']).optional(),
});

export const RevertJob = z.object({
  version: z.literal(1),
  /** `slugify:phase2`, as parsed. */
  spec: z.string(),
  trackId: z.string(),
  /** The temporary worktree, detached at `base` when it started. */
  worktree: z.string(),
  /** The target commit the revert commits are built on. */
  base: Sha,
  /** Still to revert, newest first. */
  pending: z.array(Target),
  /** Done: the reverted commit and the commit that undid it (null: only the track docs changed). */
  done: z.array(z.object({ reverted: Sha, commit: Sha.nullable() })),
  /** The revert that stopped on a conflict, and HEAD before it. */
  stopped: z.object({ target: Target, headBefore: Sha, paths: z.array(z.string()) }).nullable(),
  /** Plan markers to reset, and the plan's path in the repository (null: no plan). */
  resetTasks: z.array(z.string()),
  planPath: z.string().nullable(),
});
export type RevertJob = z.infer<typeof RevertJob>;

export function jobFile(stateDir: string, trackId: string): string {
  return path.join(stateDir, 'reverts', `${trackId}.json`);
}

export function readJob(stateDir: string, trackId: string): RevertJob | null {
  const file = jobFile(stateDir, trackId);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message}).`, {
      hint: `Drop it with \`ym revert ${trackId} --abort\`.`,
    });
  }
  const parsed = RevertJob.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${file} is invalid:\n${formatIssues(parsed.error.issues)
        .map((l) => `  ${l}`)
        .join('\n')}`,
      {
        hint: `Drop it with \`ym revert ${trackId} --abort\`.`,
      },
    );
  }
  return parsed.data;
}

/** Written whole to a temporary file and renamed, so a crash never leaves half a job. */
export function saveJob(stateDir: string, job: RevertJob): void {
  const file = jobFile(stateDir, job.trackId);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(job, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeJob(stateDir: string, trackId: string): void {
  rmSync(jobFile(stateDir, trackId), { force: true });
}
