// Reads a Conductor project (`conductor/`, from the Gemini CLI extension or the Claude Code plugin)
// and maps it to yardmaster tracks. Parsing the registry, the metadata and the ids is pure; reading
// the folder validates every plan before the caller writes anything.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { parsePlan } from '../core/plan-md.js';
import { slugifyTitle, uniqueId, type TrackType } from '../core/track.js';
import { formatIssues } from '../core/zod-errors.js';
import { cleanTitle, parseTracksRegistry, type RegistryStatus } from './conductor-registry.js';

export {
  parseTracksRegistry,
  type RegistryEntry,
  type RegistryStatus,
} from './conductor-registry.js';

export const CONDUCTOR_DIR = 'conductor';
export const CONTEXT_DOCS = [
  'product.md',
  'tech-stack.md',
  'workflow.md',
  'product-guidelines.md',
] as const;
export type ContextDoc = (typeof CONTEXT_DOCS)[number];

// Files Conductor keeps for itself: read above (tracks.md, tracks/, archive/) or only its own state.
const CONDUCTOR_INTERNALS = ['tracks.md', 'tracks', 'archive', 'index.md', 'setup_state.json'];

export type ConductorStatus = 'new' | 'in_progress' | 'completed' | 'cancelled';

/** metadata.json as Conductor writes it (keys of both variants accepted, unknown keys kept). */
export const ConductorMetadata = z.looseObject({
  track_id: z.string().optional(),
  id: z.string().optional(),
  title: z.string().optional(),
  type: z.string().optional(),
  status: z.string().optional(),
  created_at: z.string().optional(),
  created: z.string().optional(),
  description: z.string().optional(),
});
export type ConductorMetadata = z.output<typeof ConductorMetadata>;

export function parseMetadata(text: string, file: string): ConductorMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`, {
      hint: 'Fix the file, or delete it to import the track without metadata.',
    });
  }
  const parsed = ConductorMetadata.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues).map((l) => `  ${l}`);
    throw new UsageError(`${file} is invalid:\n${lines.join('\n')}`, {
      hint: 'Fix the fields above.',
    });
  }
  return parsed.data;
}

/** Conductor's free-form type ("Feature", "bugfix", "docs") mapped onto yardmaster's four. */
export function mapTrackType(type: string | undefined): TrackType {
  const t = (type ?? '').toLowerCase().trim();
  if (/^(bug|bugfix|bug-fix|bug_fix|fix|hotfix)$/.test(t)) return 'bug';
  if (/^(chore|docs|documentation|maintenance|build|ci|test|tests)$/.test(t)) return 'chore';
  if (/^(refactor|refactoring|cleanup)$/.test(t)) return 'refactor';
  return 'feature';
}

export function mapStatus(status: string | undefined, registry?: RegistryStatus): ConductorStatus {
  const s = (status ?? '').toLowerCase().trim().replace(/[ -]/g, '_');
  if (/^(completed|complete|done|merged|finished)$/.test(s)) return 'completed';
  if (/^(cancelled|canceled|abandoned|archived)$/.test(s)) return 'cancelled';
  if (/^(in_progress|active|started|wip)$/.test(s)) return 'in_progress';
  if (s !== '') return 'new';
  return registry === 'done' ? 'completed' : registry === 'in_progress' ? 'in_progress' : 'new';
}

/** `dark-mode_20251207` -> `dark-mode-20251207`: lowercase, `_` and other characters to `-`, at most 48. */
export function mapTrackId(original: string, taken: (id: string) => boolean, title = ''): string {
  let id = original
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  if (id === '') id = slugifyTitle(title);
  return uniqueId(id, taken);
}

/** The first usable one-line title among the candidates, cut to 200 characters. */
export function pickTitle(candidates: readonly (string | undefined)[], fallback: string): string {
  const clean = candidates
    .map((c) => (c ?? '').replace(/\s+/g, ' ').trim())
    .filter((c) => c !== '');
  const short = clean.find((c) => c.length <= 120);
  const chosen = short ?? clean[0] ?? fallback;
  return chosen.length > 200 ? `${chosen.slice(0, 197).trimEnd()}...` : chosen;
}

/** `# Specification: Add dark mode` -> `Add dark mode`. */
export function specHeading(spec: string): string | undefined {
  const m = /^#[ \t]+(.+)$/m.exec(spec);
  if (!m?.[1]) return undefined;
  return cleanTitle(
    m[1].replace(/^(track[ \t]+)?(spec(ification)?|requirements)[ \t]*[:\-–—][ \t]*/i, ''),
  );
}

export interface ConductorTrack {
  /** The Conductor id (its folder name). */
  originalId: string;
  id: string;
  title: string;
  type: TrackType;
  status: ConductorStatus;
  createdAt?: string;
  /** spec.md as written, or null when the folder has none. */
  spec: string | null;
  /** plan.md, byte for byte. */
  plan: string;
}

export interface ConductorProject {
  /** Context documents found in conductor/, by name, byte for byte. */
  docs: Partial<Record<ContextDoc, string>>;
  tracks: ConductorTrack[];
  /** What was found and not imported, with the reason, for the summary. */
  skipped: string[];
}

export interface ReadOptions {
  /** Ids already used in yardmaster/tracks (mapped ids avoid them). */
  existingIds: ReadonlySet<string>;
  /** Conductor ids already imported (their `source`), skipped on a second import. */
  imported: ReadonlyMap<string, string>;
}

const rel = (...parts: string[]) => parts.join('/');

/** Reads conductor/ under root. Throws UsageError (file:line for plans) before anything is written. */
export function readConductorProject(root: string, opts: ReadOptions): ConductorProject {
  const base = path.join(root, CONDUCTOR_DIR);
  if (!existsSync(base)) {
    throw new UsageError(`No Conductor project here: ${base} does not exist.`, {
      hint: 'Run `ym setup` without --from-conductor, or pass --cwd to the repository that has conductor/.',
    });
  }
  const read = (...parts: string[]) => {
    const f = path.join(base, ...parts);
    return existsSync(f) ? readFileSync(f, 'utf8') : null;
  };
  const docs: Partial<Record<ContextDoc, string>> = {};
  for (const name of CONTEXT_DOCS) {
    const text = read(name);
    if (text !== null) docs[name] = text;
  }
  const registryText = read('tracks.md');
  const registry = registryText === null ? [] : parseTracksRegistry(registryText);
  const byId = new Map(registry.filter((e) => e.id !== undefined).map((e) => [e.id ?? '', e]));
  const skipped: string[] = [];
  const tracksDir = path.join(base, 'tracks');
  const folders = existsSync(tracksDir)
    ? readdirSync(tracksDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name)
    : [];
  // The registry's order is the user's order; folders it does not list follow, by name.
  const rank = (id: string) => {
    const at = registry.findIndex((e) => e.id === id);
    return at < 0 ? registry.length : at;
  };
  folders.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const entry of registry) {
    if (entry.id !== undefined && !folders.includes(entry.id)) {
      skipped.push(
        `${rel(CONDUCTOR_DIR, 'tracks.md')}:${entry.line} "${entry.title}": no folder ${rel(CONDUCTOR_DIR, 'tracks', entry.id)}/`,
      );
    }
  }
  const taken = new Set(opts.existingIds);
  const tracks: ConductorTrack[] = [];
  for (const folder of folders) {
    const where = rel(CONDUCTOR_DIR, 'tracks', folder);
    const already = opts.imported.get(folder);
    if (already !== undefined) {
      skipped.push(`${where}/: already imported as track "${already}"`);
      continue;
    }
    const plan = read('tracks', folder, 'plan.md');
    if (plan === null) {
      skipped.push(`${where}/: no plan.md`);
      continue;
    }
    parsePlan(plan, `${where}/plan.md`);
    const metaText = read('tracks', folder, 'metadata.json');
    const meta = metaText === null ? {} : parseMetadata(metaText, `${where}/metadata.json`);
    const entry = byId.get(folder);
    const status = mapStatus(meta.status, entry?.status);
    if (status === 'completed' || status === 'cancelled') {
      skipped.push(`${where}/: ${status} in Conductor`);
      continue;
    }
    const spec = read('tracks', folder, 'spec.md');
    const title = pickTitle(
      [meta.title, meta.description, entry?.title, spec === null ? undefined : specHeading(spec)],
      folder,
    );
    const id = mapTrackId(folder, (c) => taken.has(c), title);
    taken.add(id);
    const created = meta.created_at ?? meta.created;
    const createdAt =
      created !== undefined && !Number.isNaN(Date.parse(created))
        ? new Date(created).toISOString()
        : undefined;
    tracks.push({
      originalId: folder,
      id,
      title,
      type: mapTrackType(meta.type),
      status,
      ...(createdAt === undefined ? {} : { createdAt }),
      spec,
      plan,
    });
  }
  const archive = path.join(base, 'archive');
  if (existsSync(archive)) {
    const count = readdirSync(archive, { withFileTypes: true }).filter((d) =>
      d.isDirectory(),
    ).length;
    skipped.push(
      `${rel(CONDUCTOR_DIR, 'archive')}/: ${count} archived track${count === 1 ? '' : 's'}, not imported`,
    );
  }
  // Anything else the user keeps in conductor/ (code_styleguides/, notes) is named, not copied.
  const known = new Set<string>([...CONTEXT_DOCS, ...CONDUCTOR_INTERNALS]);
  for (const d of readdirSync(base, { withFileTypes: true })) {
    if (known.has(d.name) || d.name.startsWith('.')) continue;
    skipped.push(`${rel(CONDUCTOR_DIR, d.name)}${d.isDirectory() ? '/' : ''}: not imported`);
  }
  return { docs, tracks, skipped };
}
