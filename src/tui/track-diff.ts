// The live view's diff pane as lines, laid out once per open from the track's review
// (src/review/gather.ts: the same range, files, patches and command-bearing part as `ym review`)
// with review's own text: the command-bearing summary, the files with +/- counts, then the
// unified diff, command-bearing files first and marked. Colour comes from the review palette,
// off as a whole for NO_COLOR. Pure; the pane renders only the window of these lines on screen.
import { palette } from '../cli/output.js';
import { YmError } from '../core/errors.js';
import type { Review } from '../review/gather.js';
import { bearingSummary, diffLines, fileList, visible } from '../review/render.js';

/** More lines than this are cut (with a line saying so): `ym review` shows them all. */
export const MAX_DIFF_LINES = 50_000;

export interface TrackDiff {
  id: string;
  /** The pane's first line: the track, the range, the files and +/- totals. */
  title: string;
  /** The head the diff shows (null when it could not be read). */
  head: string | null;
  lines: string[];
  /** Why there is no diff to show (no branch yet, an unknown track, git failed). */
  error: string | null;
}

const short = (sha: string | null) => (sha === null ? '(none)' : sha.slice(0, 12));

export function diffPane(review: Review, color: boolean): TrackDiff {
  const c = palette(color);
  const { doc } = review;
  const range =
    doc.range === 'landed'
      ? `landed on ${doc.target.branch} ${short(doc.base.sha)}..${short(doc.head.sha)}${doc.landing?.strategy ? ` (${doc.landing.strategy})` : ''}`
      : `${doc.head.branch ?? ''} ${short(doc.head.sha)} against ${doc.target.branch} ${short(doc.target.sha)} (merge-base ${short(doc.base.sha)})`;
  const t = doc.totals;
  const files = `${t.files} file${t.files === 1 ? '' : 's'} ${c.green(`+${t.added}`)} ${c.red(`-${t.deleted}`)}${t.binary > 0 ? `, ${t.binary} binary` : ''}`;
  const lines: string[] = [];
  const bearing = bearingSummary(doc, c);
  if (bearing.length > 0) lines.push(...bearing, '');
  lines.push(...fileList(doc, c));
  const diff = diffLines(review, c);
  if (diff.length > 0) lines.push('', ...diff);
  const cut = lines.length > MAX_DIFF_LINES ? lines.length - MAX_DIFF_LINES : 0;
  const shown = cut > 0 ? lines.slice(0, MAX_DIFF_LINES) : lines;
  if (cut > 0)
    shown.push(c.dim(`… ${cut} more lines: \`ym review ${doc.track.id}\` shows the whole diff`));
  return {
    id: doc.track.id,
    title: `${c.bold(`DIFF ${doc.track.id}`)} · ${visible(range)} · ${files}`,
    head: doc.head.sha,
    lines: shown.map((l) => expandTabs(l)),
    error: null,
  };
}

/** The pane for a track whose diff cannot be shown, saying why in one line. */
export function diffFailure(id: string, err: unknown): TrackDiff {
  const message =
    err instanceof YmError
      ? `${err.message}${err.hint === undefined ? '' : ` ${err.hint}`}`
      : err instanceof Error
        ? err.message
        : String(err);
  return { id, title: `DIFF ${id}`, head: null, lines: [], error: message };
}

const SGR = /\u001b\[[0-9;]*m/y;

/**
 * Tabs as spaces to the next stop, not counting colour sequences: a terminal moves a tab to its
 * next stop while ink counts it as no width, which would push the line past the pane's edge.
 */
export function expandTabs(line: string, stop = 8): string {
  if (!line.includes('\t')) return line;
  let out = '';
  let col = 0;
  for (let i = 0; i < line.length;) {
    SGR.lastIndex = i;
    const sgr = SGR.exec(line);
    if (sgr) {
      out += sgr[0];
      i += sgr[0].length;
      continue;
    }
    const ch = line.charAt(i++);
    if (ch === '\t') {
      const n = stop - (col % stop);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col += 1;
    }
  }
  return out;
}
