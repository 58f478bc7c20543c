// Everything the detail view shows about one track, read on demand: the spec's first paragraph
// and the plan (from the track's branch when it has one, else the checkout), the last checks, the
// log to follow, the branch's commits over the target and the worktree path.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { YmError } from '../core/errors.js';
import { parsePlan, type Plan } from '../core/plan-md.js';
import { readBlobs } from '../git/plans.js';
import type { ProcessRunner } from '../proc/run.js';
import { trackDocsPath } from '../tracks/files.js';
import type { CheckSummary } from './event-fold.js';

export const MAX_COMMITS = 30;

export interface TrackDetail {
  id: string;
  branch: string | null;
  worktree: string | null;
  specSummary: string | null;
  plan: Plan | null;
  planError: string | null;
  checks: CheckSummary | null;
  logPath: string | null;
  commits: string[];
  commitsError: string | null;
}

export interface DetailInput {
  id: string;
  branch: string | null;
  worktree: string | null;
  target: string;
  logPath: string | null;
  checks: CheckSummary | null;
}

export async function loadTrackDetail(
  run: ProcessRunner,
  root: string,
  input: DetailInput,
): Promise<TrackDetail> {
  const docs = trackDocsPath(input.id);
  const specs =
    input.branch === null
      ? []
      : [`${input.branch}:${docs}/spec.md`, `${input.branch}:${docs}/plan.md`];
  const [blobs, commits] = await Promise.all([
    readBlobs(run, root, specs).catch(() => new Map<string, string | null>()),
    input.branch === null
      ? Promise.resolve({ commits: [], error: null })
      : branchCommits(run, root, input.target, input.branch),
  ]);
  const read = (name: string): string | null => {
    const fromBranch =
      input.branch === null ? undefined : blobs.get(`${input.branch}:${docs}/${name}`);
    if (typeof fromBranch === 'string') return fromBranch;
    const file = path.join(root, docs, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  };
  const spec = read('spec.md');
  const planText = read('plan.md');
  let plan: Plan | null = null;
  let planError: string | null = null;
  if (planText === null) planError = 'plan.md not found';
  else {
    try {
      plan = parsePlan(planText, `${docs}/plan.md`);
    } catch (err) {
      planError = err instanceof YmError ? err.message : String(err);
    }
  }
  return {
    id: input.id,
    branch: input.branch,
    worktree: input.worktree,
    specSummary: spec === null ? null : firstParagraph(spec),
    plan,
    planError,
    checks: input.checks,
    logPath: input.logPath,
    commits: commits.commits,
    commitsError: commits.error,
  };
}

async function branchCommits(
  run: ProcessRunner,
  root: string,
  target: string,
  branch: string,
): Promise<{ commits: string[]; error: string | null }> {
  try {
    const r = await run(
      'git',
      [
        'log',
        '--oneline',
        '--no-decorate',
        '--no-color',
        `-n${MAX_COMMITS}`,
        '--end-of-options',
        `${target}..${branch}`,
        '--',
      ],
      { cwd: root, reject: false },
    );
    if (r.exitCode !== 0)
      return {
        commits: [],
        error: r.stderr.split('\n')[0]?.trim() || `git log exited ${String(r.exitCode)}`,
      };
    return { commits: r.stdout.split('\n').filter(Boolean), error: null };
  } catch (err) {
    return { commits: [], error: err instanceof Error ? err.message : String(err) };
  }
}

/** The first paragraph of prose in a markdown document: headings, quotes and comments skipped. */
export function firstParagraph(markdown: string): string | null {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split(/\r?\n/);
  const out: string[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const prose =
      line !== '' &&
      !line.startsWith('#') &&
      !line.startsWith('>') &&
      !/^(```|~~~|---|\*\*\*)/.test(line);
    if (prose) out.push(line);
    else if (out.length > 0) break;
  }
  return out.length === 0 ? null : out.join(' ');
}
