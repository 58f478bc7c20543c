// What of a track is on the target, found from git and state.db together: the merge record
// gives the range that landed (`targetBefore..merged_sha`) and the strategy; the commit trailers
// (`Yardmaster-Track`, `Yardmaster-Task`) say which commits are the track's and which task each
// did, so this works after rebase, merge and squash, and never trusts SHAs written in plan.md.
// Commits already undone are found by the `Yardmaster-Revert` trailers of later commits.
import { UsageError } from '../core/errors.js';
import { allTasks, parsePlan } from '../core/plan-md.js';
import type { Git } from '../git/git.js';
import { readBlobs } from '../git/plans.js';
import type { MergeRecord } from '../merge/record.js';
import type { ProcessRunner } from '../proc/run.js';
import { archivedDocsPath, trackDocsPath } from '../tracks/files.js';

export interface RevertAtom {
  sha: string;
  subject: string;
  /** From its `Yardmaster-Task` trailers, else the tasks its change to plan.md ticked. */
  tasks: string[];
  /** Files it changes outside the track's own docs (which revert never undoes). */
  files: string[];
  /** `git revert -m 1`: a merge commit undone against its first parent. */
  mainline?: 1;
}

export interface RevertUnit extends RevertAtom {
  kind: 'commit' | 'merge' | 'squash';
  /** The commits a merge or squash brought in, newest first; null when unknown or not needed. */
  atoms: RevertAtom[] | null;
}

export interface TrackHistory {
  targetSha: string;
  /** The track's commits on the target's first-parent history, newest first. */
  units: RevertUnit[];
  /** Reverted commit -> the commit on the target that reverted it. */
  reverted: Map<string, string>;
}

interface Logged {
  sha: string;
  parents: string[];
  subject: string;
  tracks: string[];
  tasks: string[];
  reverts: string[];
}

export const REVERT_TRAILER = 'Yardmaster-Revert';
const FORMAT = [
  '%H',
  '%P',
  '%s',
  '%(trailers:key=Yardmaster-Track,valueonly,separator=%x2C)',
  '%(trailers:key=Yardmaster-Task,valueonly,separator=%x2C)',
  `%(trailers:key=${REVERT_TRAILER},valueonly,separator=%x2C)`,
].join('%x1f');

/** The track's own docs, in place or archived: revert leaves them alone and resets markers instead. */
export function docsPaths(trackId: string): string[] {
  return [trackDocsPath(trackId), archivedDocsPath(trackId)];
}

export interface HistoryInput {
  git: Git;
  run: ProcessRunner;
  trackId: string;
  target: string;
  targetSha: string;
  mergedSha: string | null;
  record: MergeRecord | null;
}

export async function readTrackHistory(input: HistoryInput): Promise<TrackHistory> {
  const { git, trackId, target, targetSha, mergedSha, record } = input;
  const head = mergedSha ?? targetSha;
  if (mergedSha && !(await git.ok(['merge-base', '--is-ancestor', mergedSha, targetSha]))) {
    throw new UsageError(
      `The merge of ${trackId} (${mergedSha.slice(0, 12)}) is no longer in the history of ${target}.`,
      {
        hint: `${target} was rewritten after the merge; there is nothing of ${trackId} on it to revert.`,
      },
    );
  }
  const before =
    record?.targetBefore &&
    (await git.ok(['merge-base', '--is-ancestor', record.targetBefore, head]))
      ? record.targetBefore
      : null;
  let candidates: Logged[];
  if (before) {
    // The range the queue landed, exactly: its commits are the track's even if a forge dropped trailers.
    const landed = (await logCommits(git, ['--first-parent', `${before}..${head}`])).filter(
      (c) => c.reverts.length === 0,
    );
    const mine = landed.filter((c) => c.tracks.includes(trackId));
    candidates = mine.length ? mine : landed;
  } else {
    // No range recorded (a merge recorded by crash recovery): every commit with the trailer.
    const found = await logCommits(git, [
      '--first-parent',
      '--fixed-strings',
      `--grep=Yardmaster-Track: ${trackId}`,
      head,
    ]);
    candidates = found.filter((c) => c.tracks.includes(trackId) && c.reverts.length === 0);
  }
  const reverted = new Map<string, string>();
  const reverts = await logCommits(git, [
    '--first-parent',
    '--fixed-strings',
    `--grep=${REVERT_TRAILER}:`,
    before ? `${before}..${targetSha}` : targetSha,
  ]);
  for (const c of reverts.reverse()) for (const sha of c.reverts) reverted.set(sha, c.sha);
  const units: RevertUnit[] = [];
  for (const c of candidates)
    units.push(
      await toUnit(
        input,
        c,
        before !== null && record?.strategy === 'squash' ? record.branchHead : undefined,
      ),
    );
  return { targetSha, units, reverted };
}

async function toUnit(
  input: HistoryInput,
  c: Logged,
  squashedHead: string | null | undefined,
): Promise<RevertUnit> {
  const { git } = input;
  const [first, second] = c.parents;
  if (first && second) {
    const atoms = await Promise.all(
      (await logCommits(git, ['--no-merges', `${first}..${second}`])).map((a) => toAtom(input, a)),
    );
    const self = await toAtom(input, c);
    return {
      ...self,
      mainline: 1,
      kind: 'merge',
      tasks: union(self.tasks, ...atoms.map((a) => a.tasks)),
      atoms,
    };
  }
  if (squashedHead !== undefined) {
    const self = await toAtom(input, c);
    let atoms: RevertAtom[] | null = null;
    if (squashedHead && first && (await git.ok(['cat-file', '-e', `${squashedHead}^{commit}`]))) {
      atoms = await Promise.all(
        (await logCommits(git, ['--no-merges', squashedHead, '--not', first])).map((a) =>
          toAtom(input, a),
        ),
      );
    }
    return {
      ...self,
      kind: 'squash',
      tasks: union(self.tasks, ...(atoms ?? []).map((a) => a.tasks)),
      atoms,
    };
  }
  return { ...(await toAtom(input, c)), kind: 'commit', atoms: null };
}

async function toAtom(input: HistoryInput, c: Logged): Promise<RevertAtom> {
  const { git, trackId } = input;
  const parent = c.parents[0];
  const docs = docsPaths(trackId).map((d) => `${d}/`);
  const changed = parent
    ? (await git(['diff', '--name-only', '--no-renames', '-z', parent, c.sha]))
        .split('\0')
        .filter(Boolean)
    : [];
  const files = changed.filter((f) => !docs.some((d) => f.startsWith(d)));
  const tasks = c.tasks.length ? c.tasks : parent ? await tickedTasks(input, parent, c.sha) : [];
  return { sha: c.sha, subject: c.subject, tasks, files };
}

/** Tasks a commit marked done in the track's plan.md: its tasks when it has no trailer saying so. */
async function tickedTasks(input: HistoryInput, parent: string, sha: string): Promise<string[]> {
  const file = `${trackDocsPath(input.trackId)}/plan.md`;
  const blobs = await readBlobs(input.run, input.git.cwd, [`${parent}:${file}`, `${sha}:${file}`]);
  const after = blobs.get(`${sha}:${file}`);
  if (!after) return [];
  try {
    const before = blobs.get(`${parent}:${file}`);
    const was = new Map(
      before ? allTasks(parsePlan(before, file)).map((t) => [t.id, t.marker]) : [],
    );
    return allTasks(parsePlan(after, file))
      .filter((t) => t.marker === 'done' && was.get(t.id) !== 'done')
      .map((t) => t.id);
  } catch {
    return [];
  }
}

async function logCommits(git: Git, args: readonly string[]): Promise<Logged[]> {
  const out = await git(['log', '--topo-order', `--format=${FORMAT}%x1e`, ...args, '--']);
  return out
    .split('\x1e')
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r !== '')
    .map((r) => {
      const [sha = '', parents = '', subject = '', tracks = '', tasks = '', reverts = ''] =
        r.split('\x1f');
      return {
        sha,
        parents: parents.split(' ').filter(Boolean),
        subject,
        tracks: list(tracks),
        tasks: list(tasks),
        reverts: list(reverts),
      };
    });
}

function list(values: string): string[] {
  return values
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter(Boolean);
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}
