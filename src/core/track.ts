// What a track is, as written in yardmaster/tracks/<id>/track.json, and the rules for ids.
import { z } from 'zod';
import { UsageError } from './errors.js';
import { TRACK_ID_PATTERN } from '../config/schema.js';

import { TRACK_TYPES } from './track-types.js';
import { RepoPath } from './repo-path.js';

export { RepoPath };

export { TRACK_TYPES };
export const TrackType = z.enum(TRACK_TYPES);
export type TrackType = z.infer<typeof TrackType>;

export const TrackId = z
  .string()
  .regex(
    TRACK_ID_PATTERN,
    'must be 1-48 characters of lowercase letters, digits and "-", starting with a letter or digit',
  );

export const TrackFile = z.strictObject({
  id: TrackId,
  title: z.string().trim().min(1).max(200),
  type: TrackType.default('feature'),
  dependsOn: z.array(TrackId).default([]),
  scope: z.array(RepoPath).optional(),
  objective: z.string().optional(),
  createdAt: z.string(),
  /** Where it came from when imported (e.g. "conductor"). */
  source: z.string().optional(),
});
export type TrackFile = z.output<typeof TrackFile>;

/** Rejects an id with a message naming it and the rule it breaks. */
export function assertTrackId(id: string, where = 'track id'): string {
  if (!TRACK_ID_PATTERN.test(id)) {
    const why =
      id.length === 0
        ? 'it is empty'
        : id.length > 48
          ? `it is ${id.length} characters long (at most 48)`
          : /[A-Z]/.test(id)
            ? 'it has uppercase letters'
            : /\s/.test(id)
              ? 'it has whitespace'
              : id.includes('..') || id.includes('/') || id.includes('\\')
                ? 'it has path characters ("/", "\\" or "..")'
                : id.startsWith('-')
                  ? 'it starts with "-"'
                  : 'it has characters other than a-z, 0-9 and "-"';
    throw new UsageError(`Invalid ${where} ${JSON.stringify(id)}: ${why}.`, {
      hint: 'Track ids match ^[a-z0-9][a-z0-9-]{0,47}$, e.g. "add-slugify".',
    });
  }
  return id;
}

/** Derives an id from a title: "Add OAuth login!" -> "add-oauth-login". */
export function slugifyTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  let cut = slug.slice(0, 48);
  if (slug.length > 48 && cut.includes('-')) cut = cut.slice(0, cut.lastIndexOf('-'));
  cut = cut.replace(/-+$/, '');
  return cut || 'track';
}

/** `base`, or `base-2`, `base-3`... whichever is not taken. */
export function uniqueId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, 48 - suffix.length).replace(/-+$/, '') + suffix;
    if (!taken(candidate)) return candidate;
  }
}
