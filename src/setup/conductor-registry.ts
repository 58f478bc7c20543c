// conductor/tracks.md, the registry of a Conductor project, in the variants found in the wild:
// Gemini CLI list entries, Claude Code plugin headings, and tables. Pure, tolerant, no I/O.

export type RegistryStatus = 'pending' | 'in_progress' | 'done';

/** One track as listed in `conductor/tracks.md`. */
export interface RegistryEntry {
  title: string;
  /** The Conductor track id, when the entry links to `tracks/<id>/` or names it. */
  id?: string;
  status?: RegistryStatus;
  /** 1-based line of the entry in tracks.md. */
  line: number;
}

const STATUS_CHAR: Readonly<Record<string, RegistryStatus>> = {
  '': 'pending',
  ' ': 'pending',
  '~': 'in_progress',
  x: 'done',
  X: 'done',
};
// `## [ ] Track: Title` (Claude Code plugin) or `- [ ] **Track: Title**` (Gemini CLI extension).
const HEADING_ENTRY = /^#{1,6}[ \t]+\[([^\]]?)\][ \t]+(.+?)[ \t]*#*[ \t]*$/;
const LIST_ENTRY = /^[ \t]*[-*+][ \t]+\[([^\]]?)\][ \t]+(?:\*\*|__)?[ \t]*Track[ \t]*:(.+)$/i;
const LINKED_ID = /(?:^|[/(\s])tracks\/([^/)\s#]+)(?:\/|\)|$)/;
const NAMED_ID = /\bID[ \t]*:[ \t]*\**[ \t]*`?([A-Za-z0-9][\w.-]*)`?/;

/** Markdown emphasis, links and a leading "Track:" removed; whitespace collapsed. */
export function cleanTitle(raw: string): string {
  return raw
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|__|`/g, '')
    .replace(/^[ \t]*Track[ \t]*:[ \t]*/i, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function idIn(text: string): string | undefined {
  return LINKED_ID.exec(text)?.[1] ?? NAMED_ID.exec(text)?.[1];
}

function statusWord(cell: string): RegistryStatus | undefined {
  const box = /\[([^\]]?)\]/.exec(cell);
  if (box) return STATUS_CHAR[box[1] ?? ''];
  const word = cell.toLowerCase().replace(/[*_`]/g, '').trim();
  if (/^(done|complete|completed|merged|finished)$/.test(word)) return 'done';
  if (/^(in[ _-]?progress|active|started|wip)$/.test(word)) return 'in_progress';
  if (word === '') return undefined;
  return 'pending';
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** Parses tracks.md: list entries, heading entries and tables, in any mix. Pure. */
export function parseTracksRegistry(text: string): RegistryEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const entries: RegistryEntry[] = [];
  let current: RegistryEntry | null = null;
  let header: string[] | null = null;
  let inFence = false;
  lines.forEach((line, i) => {
    if (/^[ \t]*(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) return;
    const entry = HEADING_ENTRY.exec(line) ?? LIST_ENTRY.exec(line);
    if (entry) {
      const title = cleanTitle(entry[2] ?? '');
      const id = idIn(line);
      const status = STATUS_CHAR[entry[1] ?? ''];
      current = {
        title,
        line: i + 1,
        ...(id === undefined ? {} : { id }),
        ...(status === undefined ? {} : { status }),
      };
      entries.push(current);
      return;
    }
    if (/^[ \t]*\|/.test(line)) {
      current = null;
      const cells = splitRow(line);
      if (cells.every((c) => /^:?-{2,}:?$/.test(c))) return;
      if (header === null) {
        header = cells.map((c) => c.toLowerCase().replace(/[*_`]/g, ''));
        return;
      }
      const col = (...names: string[]) => {
        const at = header?.findIndex((h) => names.includes(h)) ?? -1;
        return at >= 0 ? cells[at] : undefined;
      };
      const idCell = col('id', 'track id', 'track_id', 'track');
      const id = idIn(line) ?? (idCell === undefined ? undefined : cleanTitle(idCell) || undefined);
      const title = cleanTitle(col('title', 'name', 'description', 'track') ?? '') || (id ?? '');
      const statusCell = col('status', 'state');
      const status = statusCell === undefined ? undefined : statusWord(statusCell);
      if (title !== '' || id !== undefined) {
        entries.push({
          title,
          line: i + 1,
          ...(id === undefined ? {} : { id }),
          ...(status === undefined ? {} : { status }),
        });
      }
      return;
    }
    header = null;
    if (/^[ \t]*(---+|\*\*\*+)[ \t]*$/.test(line) || /^#{1,6}[ \t]/.test(line)) {
      current = null;
      return;
    }
    const open = current as RegistryEntry | null;
    if (open && open.id === undefined) {
      const id = idIn(line);
      if (id !== undefined) open.id = id;
    }
  });
  return entries;
}
