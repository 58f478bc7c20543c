// The built-in checks: plan complete, no conflict markers, no changes outside the track's
// scope, branch contains the target's head, every commit carries the Yardmaster-Track trailer.
// Each judges the commit in a Revision and returns its verdict; levels are applied by the runner.
import { allTasks, parsePlan } from '../core/plan-md.js';
import { YmError } from '../core/errors.js';
import { parseTrackFile, trackDocsPath } from '../tracks/files.js';
import type { Config } from '../config/schema.js';
import { findMarkers, MARKER_CANDIDATES, parseGrepOutput, type MarkerHit } from './markers.js';
import type { Revision } from './revision.js';
import type { BuiltinCheckName, CheckStatus } from './types.js';

export interface Verdict {
  status: CheckStatus;
  message: string;
  /** Details (open tasks, offending files...), shown like a command's output tail. */
  details?: string[];
}

/** How many detail lines a verdict lists before "... and N more". */
const MAX_DETAILS = 50;

export const TRAILER_KEY = 'Yardmaster-Track';

/** builtinChecks config key for each built-in check. */
export const BUILTIN_CONFIG_KEY: Readonly<Record<BuiltinCheckName, keyof Config['builtinChecks']>> =
  {
    'plan-complete': 'planComplete',
    'conflict-markers': 'conflictMarkers',
    scope: 'scope',
    'up-to-date': 'upToDate',
    trailers: 'trailers',
  };

export const BUILTIN_RUNNERS: Readonly<
  Record<BuiltinCheckName, (rev: Revision) => Promise<Verdict>>
> = {
  'plan-complete': planComplete,
  'conflict-markers': conflictMarkers,
  scope,
  'up-to-date': upToDate,
  trailers,
};

function listed(lines: string[]): string[] {
  if (lines.length <= MAX_DETAILS) return lines;
  return [...lines.slice(0, MAX_DETAILS), `... and ${lines.length - MAX_DETAILS} more`];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

async function planComplete(rev: Revision): Promise<Verdict> {
  const file = `${trackDocsPath(rev.trackId)}/plan.md`;
  const text = await rev.readTrackFile('plan.md');
  if (text === null) return { status: 'fail', message: `${file} not found` };
  let tasks;
  try {
    tasks = allTasks(parsePlan(text, file));
  } catch (err) {
    return { status: 'fail', message: err instanceof YmError ? err.message : String(err) };
  }
  const open = tasks.filter((t) => t.marker !== 'done' && t.marker !== 'skipped');
  if (open.length === 0)
    return { status: 'pass', message: `all ${plural(tasks.length, 'task')} done or skipped` };
  const marker = { pending: ' ', in_progress: '~', blocked: '!', done: 'x', skipped: '-' } as const;
  return {
    status: 'fail',
    message: `${open.length} of ${plural(tasks.length, 'task')} not done in ${file}`,
    details: listed(open.map((t) => `line ${t.line}: [${marker[t.marker]}] ${t.id} ${t.text}`)),
  };
}

function noBase(rev: Revision): Verdict {
  return { status: 'error', message: rev.baseProblem ?? 'no merge-base with the target' };
}

async function conflictMarkers(rev: Revision): Promise<Verdict> {
  if (rev.changed === null) return noBase(rev);
  if (rev.changed.length === 0) return { status: 'pass', message: 'no files changed' };
  const hits: MarkerHit[] = [];
  // Pathspecs in batches keep the argument list bounded on huge changes.
  for (let i = 0; i < rev.changed.length; i += 500) {
    const specs = rev.changed.slice(i, i + 500).map((p) => `:(literal)${p}`);
    // -I skips binary files; deleted paths simply match nothing in the commit's tree.
    const r = await rev.run(
      'git',
      [
        'grep',
        '-I',
        '-n',
        '-z',
        '--no-color',
        '-E',
        '-e',
        MARKER_CANDIDATES,
        rev.head,
        '--',
        ...specs,
      ],
      { cwd: rev.root, reject: false },
    );
    // 1 means "no match"; anything else but 0 is git failing, which must not pass as clean.
    if (r.exitCode !== 0 && r.exitCode !== 1) {
      return {
        status: 'error',
        message: `git grep failed: ${r.stderr.trim().split('\n')[0] ?? ''}`,
      };
    }
    hits.push(...findMarkers(parseGrepOutput(r.stdout, rev.head)));
  }
  if (hits.length === 0)
    return { status: 'pass', message: `none in ${plural(rev.changed.length, 'changed file')}` };
  const files = new Set(hits.map((h) => h.path));
  return {
    status: 'fail',
    message: `conflict markers in ${plural(files.size, 'file')}: ${[...files].slice(0, 5).join(', ')}${files.size > 5 ? ', ...' : ''}`,
    details: listed(hits.map((h) => `${h.path}:${h.line}: ${h.text}`)),
  };
}

/** A scope entry covers a file when it is that file or a directory above it. */
export function inScope(file: string, entries: readonly string[]): boolean {
  return entries.some((raw) => {
    const e = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    return e === '' || e === '.' || file === e || file.startsWith(`${e}/`);
  });
}

async function scope(rev: Revision): Promise<Verdict> {
  const file = `${trackDocsPath(rev.trackId)}/track.json`;
  const text = await rev.readTrackFile('track.json');
  if (text === null) return { status: 'error', message: `${file} not found` };
  let entries: string[] | undefined;
  try {
    entries = parseTrackFile(text, file, rev.trackId).scope;
  } catch (err) {
    return { status: 'error', message: err instanceof YmError ? err.message : String(err) };
  }
  if (entries === undefined || entries.length === 0)
    return { status: 'skip', message: 'the track has no scope' };
  if (rev.changed === null) return noBase(rev);
  const allowed = [...entries, `${trackDocsPath(rev.trackId)}/`];
  const outside = rev.changed.filter((f) => !inScope(f, allowed));
  if (outside.length === 0) {
    return {
      status: 'pass',
      message: `${plural(rev.changed.length, 'changed file')}, all in scope`,
    };
  }
  return {
    status: 'fail',
    message: `${plural(outside.length, 'file')} changed outside the scope (${entries.join(', ')}): ${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ', ...' : ''}`,
    details: listed(outside),
  };
}

async function upToDate(rev: Revision): Promise<Verdict> {
  if (rev.targetSha === null) return noBase(rev);
  const short = rev.targetSha.slice(0, 7);
  // The merge-base is the target itself exactly when the target is an ancestor of the head.
  const r =
    rev.base === rev.targetSha ||
    (await rev.git.ok(['merge-base', '--is-ancestor', rev.targetSha, rev.head]));
  if (r) return { status: 'pass', message: `contains ${rev.target} (${short})` };
  const behind = (await rev.git(['rev-list', '--count', `${rev.head}..${rev.targetSha}`])).trim();
  return {
    status: 'fail',
    message: `does not contain ${rev.target} (${short}): ${behind} commit${behind === '1' ? '' : 's'} behind; rebase onto it`,
  };
}

async function trailers(rev: Revision): Promise<Verdict> {
  if (rev.base === null) return noBase(rev);
  const out = await rev.git([
    'log',
    '--no-merges',
    `--format=%H%x1f%s%x1f%(trailers:key=${TRAILER_KEY},valueonly)%x1e`,
    `${rev.base}..${rev.head}`,
  ]);
  const commits = out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r !== '')
    .map((r) => {
      const [sha = '', subject = '', values = ''] = r.split('\x1f');
      return { sha, subject, values: values.split('\n').map((v) => v.trim()) };
    });
  if (commits.length === 0) return { status: 'pass', message: `no commits since ${rev.target}` };
  const missing = commits.filter((c) => !c.values.includes(rev.trackId));
  if (missing.length === 0)
    return { status: 'pass', message: `${plural(commits.length, 'commit')}, all with the trailer` };
  return {
    status: 'fail',
    message: `${missing.length} of ${plural(commits.length, 'commit')} ${missing.length === 1 ? 'lacks' : 'lack'} "${TRAILER_KEY}: ${rev.trackId}"`,
    details: listed(missing.map((c) => `${c.sha.slice(0, 10)} ${c.subject}`)),
  };
}
