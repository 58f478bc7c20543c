// Conflict markers, found the way git writes them: `<<<<<<< ` and `>>>>>>> ` lines, and a
// `=======` line only between them (alone it is a markdown heading underline). Pure.

export interface MarkerHit {
  path: string;
  line: number;
  text: string;
}

export interface GrepLine {
  path: string;
  line: number;
  text: string;
}

/** The pattern given to `git grep -E`: candidate lines, refined by findMarkers. */
export const MARKER_CANDIDATES = '^(<<<<<<<|>>>>>>>|=======)';

/**
 * Parses `git grep -n -z <rev>` output: `<rev>:<path>\0<line>\0<text>\n` records. Paths may
 * contain any byte but NUL, so records are read field by field, never split on newlines.
 */
export function parseGrepOutput(out: string, rev: string): GrepLine[] {
  const lines: GrepLine[] = [];
  let pos = 0;
  while (pos < out.length) {
    const a = out.indexOf('\0', pos);
    const b = a < 0 ? -1 : out.indexOf('\0', a + 1);
    if (a < 0 || b < 0) break;
    let file = out.slice(pos, a);
    if (file.startsWith(`${rev}:`)) file = file.slice(rev.length + 1);
    const end = out.indexOf('\n', b + 1);
    const text = out.slice(b + 1, end < 0 ? out.length : end);
    lines.push({ path: file, line: Number(out.slice(a + 1, b)), text });
    pos = end < 0 ? out.length : end + 1;
  }
  return lines;
}

/** Marker lines among candidate lines (in file and line order, as git grep prints them). */
export function findMarkers(candidates: readonly GrepLine[]): MarkerHit[] {
  const hits: MarkerHit[] = [];
  let file = '';
  let open = false;
  for (const c of candidates) {
    if (c.path !== file) {
      file = c.path;
      open = false;
    }
    const text = c.text.replace(/\r$/, '');
    if (text.startsWith('<<<<<<< ')) {
      open = true;
      hits.push({ path: c.path, line: c.line, text });
    } else if (text.startsWith('>>>>>>> ')) {
      open = false;
      hits.push({ path: c.path, line: c.line, text });
    } else if (text === '=======' && open) {
      hits.push({ path: c.path, line: c.line, text });
    }
  }
  return hits;
}
