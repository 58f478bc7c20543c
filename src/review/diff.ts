// The diff a review shows, read from git between two fixed commits: the changed files with their
// status and +/- counts (one `git diff --raw --numstat -z`, so no path is quoted or split), and
// the unified patch cut into one piece per file with its hunks' stats. Never through the user's
// external diff drivers or textconv filters (commands of their own, and not what the commit holds),
// and with fixed a/ b/ prefixes whatever diff.noprefix says.
import type { Git } from '../git/git.js';

export type FileStatus =
  'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed' | 'unmerged' | 'unknown';

export interface DiffFile {
  path: string;
  /** The path before a rename or copy. */
  oldPath?: string;
  status: FileStatus;
  /** Lines added and deleted; null for a binary file. */
  added: number | null;
  deleted: number | null;
  binary: boolean;
}

export interface HunkStats {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  added: number;
  deleted: number;
}

export interface FilePatch {
  /** The file's part of the unified diff, from its `diff --git` line. */
  text: string;
  hunks: HunkStats[];
}

const DIFF_OPTIONS = [
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '-M',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

const STATUS: Record<string, FileStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
  U: 'unmerged',
};

/** The files that differ between `base` and `head`, in git's order. */
export async function diffFiles(git: Git, base: string, head: string): Promise<DiffFile[]> {
  const out = await git(['diff', '-z', '--raw', '--numstat', ...DIFF_OPTIONS, base, head, '--']);
  return parseRawNumstat(out);
}

/** Parses `git diff -z --raw --numstat`: every raw record first, then the numstat records, in the same order. */
export function parseRawNumstat(out: string): DiffFile[] {
  const tokens = out.split('\0');
  const files: DiffFile[] = [];
  const counts: { added: number | null; deleted: number | null }[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i++] ?? '';
    if (token === '' || token === '\n') continue;
    if (token.startsWith(':')) {
      const letter = token.split(' ')[4]?.charAt(0) ?? '';
      const status = STATUS[letter] ?? 'unknown';
      if (letter === 'R' || letter === 'C') {
        const oldPath = tokens[i++] ?? '';
        files.push({
          path: tokens[i++] ?? '',
          oldPath,
          status,
          added: 0,
          deleted: 0,
          binary: false,
        });
      } else {
        files.push({ path: tokens[i++] ?? '', status, added: 0, deleted: 0, binary: false });
      }
      continue;
    }
    const m = /^(\d+|-)\t(\d+|-)\t([\s\S]*)$/.exec(token.replace(/^\n/, ''));
    if (!m) continue;
    // A rename's numstat record names no path in its own token: the two paths follow.
    if (m[3] === '') i += 2;
    counts.push({
      added: m[1] === '-' ? null : Number(m[1]),
      deleted: m[2] === '-' ? null : Number(m[2]),
    });
  }
  return files.map((f, n) => {
    const c = counts[n];
    if (!c) return f;
    const binary = c.added === null || c.deleted === null;
    return { ...f, added: binary ? null : c.added, deleted: binary ? null : c.deleted, binary };
  });
}

/** The unified diff between `base` and `head`, one piece per file, in the order of diffFiles. */
export async function diffPatches(git: Git, base: string, head: string): Promise<FilePatch[]> {
  const out = await git(['diff', '--patch', ...DIFF_OPTIONS, base, head, '--']);
  return splitPatch(out);
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

export function splitPatch(text: string): FilePatch[] {
  const patches: FilePatch[] = [];
  let current: { lines: string[]; hunks: HunkStats[] } | null = null;
  let hunk: HunkStats | null = null;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const close = () => {
    if (current) patches.push({ text: current.lines.join('\n'), hunks: current.hunks });
  };
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      close();
      current = { lines: [], hunks: [] };
      hunk = null;
    }
    if (!current) continue;
    current.lines.push(line);
    const h = HUNK.exec(line);
    if (h) {
      hunk = {
        oldStart: Number(h[1]),
        oldLines: h[2] === undefined ? 1 : Number(h[2]),
        newStart: Number(h[3]),
        newLines: h[4] === undefined ? 1 : Number(h[4]),
        added: 0,
        deleted: 0,
      };
      current.hunks.push(hunk);
    } else if (hunk) {
      if (line.startsWith('+')) hunk.added++;
      else if (line.startsWith('-')) hunk.deleted++;
    }
  }
  close();
  return patches;
}
