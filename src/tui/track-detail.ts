// Everything the detail view shows about one track, read on demand: the spec's first paragraph
// and the plan (from the track's branch when it has one, else the checkout), the last checks, the
// log to follow, the commits (the branch's over the target; for a merged track, what landed on the
// target, from the merge record, since the merge may have deleted the branch) and the worktree path.
// A git failure reading commits becomes one short line, never git's own error text.
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
  /** `git log --oneline` lines, newest first, at most MAX_COMMITS. */
  commits: string[];
  /** Where `commits` come from: the branch over the target, or what a merge landed on it. */
  commitsOf: CommitsOf;
  commitsError: string | null;
}

export type CommitsOf =
  | { kind: 'branch'; branch: string }
  | { kind: 'landed'; target: string; landing: Landing }
  | { kind: 'none' };

/** A merge of the track, from its record: the target's range `before..mergedSha` is what landed. */
export interface Landing {
  mergedSha: string | null;
  /** Null for merges recorded by crash recovery: then the track's trailers find its commits. */
  targetBefore: string | null;
  strategy: 'rebase' | 'merge' | 'squash' | null;
  branchCommits: number | null;
}

export interface DetailInput {
  id: string;
  branch: string | null;
  worktree: string | null;
  target: string;
  logPath: string | null;
  checks: CheckSummary | null;
  /** Set for a merged (or since reverted) track: its commits are then what landed. */
  landing?: Landing | null;
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
  const commitsOf = commitsSource(input);
  const [blobs, commits] = await Promise.all([
    readBlobs(run, root, specs).catch(() => new Map<string, string | null>()),
    readCommits(run, root, input, commitsOf),
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
    commitsOf,
    commitsError: commits.error,
  };
}

function commitsSource(input: DetailInput): CommitsOf {
  if (input.landing) return { kind: 'landed', target: input.target, landing: input.landing };
  return input.branch === null ? { kind: 'none' } : { kind: 'branch', branch: input.branch };
}

interface Commits {
  commits: string[];
  error: string | null;
}

async function readCommits(
  run: ProcessRunner,
  root: string,
  input: DetailInput,
  of: CommitsOf,
): Promise<Commits> {
  if (of.kind === 'none') return { commits: [], error: null };
  if (of.kind === 'landed') return landedCommits(run, root, input.id, of.landing);
  const { branch } = of;
  const r = await gitLog(run, root, [], [`${input.target}..${branch}`]);
  if (r.commits) return { commits: r.commits, error: null };
  const why = (await missing(run, root, branch))
    ? `branch ${branch} is gone`
    : (await missing(run, root, input.target))
      ? `target ${input.target} is gone`
      : r.why;
  return { commits: [], error: `commits unavailable: ${why}` };
}

/** What a merge landed: the target's range `targetBefore..mergedSha`, fixed whatever came after. */
async function landedCommits(
  run: ProcessRunner,
  root: string,
  id: string,
  l: Landing,
): Promise<Commits> {
  const unavailable = (why: string): Commits => ({
    commits: [],
    error: `commits unavailable: ${why}`,
  });
  if (l.mergedSha === null) return unavailable('no merge commit recorded');
  if (await missing(run, root, l.mergedSha))
    return unavailable(`the merge ${l.mergedSha.slice(0, 8)} is not in this repository`);
  const before =
    l.targetBefore !== null && !(await missing(run, root, l.targetBefore)) ? l.targetBefore : null;
  // Without a recorded range, the track's own commits by their trailer, as revert finds them.
  const r =
    before === null
      ? await gitLog(
          run,
          root,
          ['--first-parent', '--fixed-strings', `--grep=Yardmaster-Track: ${id}`],
          [l.mergedSha],
        )
      : await gitLog(run, root, [], [`${before}..${l.mergedSha}`]);
  return r.commits ? { commits: r.commits, error: null } : unavailable(r.why);
}

async function gitLog(
  run: ProcessRunner,
  root: string,
  options: string[],
  revs: string[],
): Promise<{ commits: string[]; why?: never } | { commits?: never; why: string }> {
  const args = ['log', '--oneline', '--no-decorate', '--no-color', `-n${MAX_COMMITS}`, ...options];
  try {
    const r = await run('git', [...args, '--end-of-options', ...revs, '--'], {
      cwd: root,
      reject: false,
    });
    if (r.exitCode === 0) return { commits: r.stdout.split('\n').filter(Boolean) };
    return { why: `git log exited ${String(r.exitCode)}` };
  } catch {
    return { why: 'git could not be run' };
  }
}

/** True when `rev` names no commit here (a deleted branch, a pruned object). */
async function missing(run: ProcessRunner, root: string, rev: string): Promise<boolean> {
  try {
    const r = await run(
      'git',
      ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`],
      {
        cwd: root,
        reject: false,
      },
    );
    return r.exitCode !== 0;
  } catch {
    return false;
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
