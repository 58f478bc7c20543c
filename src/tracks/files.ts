// Track documents in the user's repository: yardmaster/tracks/<id>/{track.json,spec.md,plan.md}.
// Reading validates every file; writing a batch is all-or-nothing on the filesystem.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { formatIssues } from '../core/zod-errors.js';
import { TrackFile, assertTrackId } from '../core/track.js';
import { findCycle } from '../core/graph.js';

import { DOCS_DIR, TRACKS_DIR, archivedDocsPath, trackDocsPath } from './paths.js';

export { DOCS_DIR, TRACKS_DIR, archivedDocsPath, trackDocsPath };

export interface TrackDocs {
  meta: TrackFile;
  spec: string;
  plan: string;
}

export function tracksRoot(root: string): string {
  return path.join(root, TRACKS_DIR);
}

export function trackDir(root: string, id: string): string {
  return path.join(tracksRoot(root), assertTrackId(id));
}

/** Every track.json under yardmaster/tracks, validated; ids must match their folder names. */
export function readTrackFiles(root: string): TrackFile[] {
  const dir = tracksRoot(root);
  if (!existsSync(dir)) return [];
  const tracks: TrackFile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = path.join(dir, entry.name, 'track.json');
    if (!existsSync(file)) continue;
    tracks.push(parseTrackFile(readFileSync(file, 'utf8'), file, entry.name));
  }
  assertClosedGraph(root, tracks);
  return tracks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Every dependsOn names a track of the same checkout and there is no cycle: otherwise implement
 * would wait forever on tracks that can never run. The message names the track.json to fix.
 */
function assertClosedGraph(root: string, tracks: readonly TrackFile[]): void {
  const fileOf = (id: string) => path.join(tracksRoot(root), id, 'track.json');
  const ids = new Set(tracks.map((t) => t.id));
  for (const t of tracks) {
    for (const dep of t.dependsOn) {
      if (dep === t.id)
        throw new UsageError(`${fileOf(t.id)}: dependsOn: the track depends on itself.`);
      if (!ids.has(dep)) {
        throw new UsageError(`${fileOf(t.id)}: dependsOn: unknown track "${dep}".`, {
          hint: `Create that track, or remove "${dep}" from dependsOn.`,
        });
      }
    }
  }
  const cycle = findCycle(new Map(tracks.map((t) => [t.id, t.dependsOn])));
  if (cycle) {
    const files = [...new Set(cycle)].map((id) => path.relative(root, fileOf(id)));
    throw new UsageError(
      `dependency cycle ${cycle.join(' -> ')} (dependsOn in ${files.join(', ')}).`,
      {
        hint: 'Remove one of these dependencies so the tracks can run in some order.',
      },
    );
  }
}

export function parseTrackFile(text: string, file: string, folderId?: string): TrackFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = TrackFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new UsageError(
      `${file} is invalid:\n${formatIssues(parsed.error.issues)
        .map((l) => `  ${l}`)
        .join('\n')}`,
    );
  }
  if (folderId !== undefined && parsed.data.id !== folderId) {
    throw new UsageError(
      `${file}: id "${parsed.data.id}" does not match its folder "${folderId}".`,
    );
  }
  return parsed.data;
}

export function readTrackDocs(root: string, id: string): TrackDocs {
  const dir = trackDir(root, id);
  const metaFile = path.join(dir, 'track.json');
  if (!existsSync(metaFile)) {
    throw new UsageError(`Unknown track "${id}": ${metaFile} does not exist.`, {
      hint: 'List tracks with `ym status`.',
    });
  }
  const read = (name: string) => {
    const f = path.join(dir, name);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  return {
    meta: parseTrackFile(readFileSync(metaFile, 'utf8'), metaFile, id),
    spec: read('spec.md'),
    plan: read('plan.md'),
  };
}

/**
 * Writes several tracks' folders at once. Each folder is written under a temporary name and
 * renamed into place; if anything fails, every folder written so far is removed again.
 * Refuses to replace an existing folder.
 */
export function writeTracks(root: string, tracks: readonly TrackDocs[]): string[] {
  const base = tracksRoot(root);
  for (const t of tracks) {
    const dir = trackDir(root, t.meta.id);
    if (existsSync(dir)) {
      throw new UsageError(`Track folder already exists: ${dir}`, {
        hint: 'Choose another id, or remove that folder first.',
      });
    }
  }
  mkdirSync(base, { recursive: true });
  const written: string[] = [];
  try {
    for (const t of tracks) {
      const dir = trackDir(root, t.meta.id);
      const tmp = path.join(base, `.${t.meta.id}.tmp-${process.pid}`);
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp);
      writeFileSync(path.join(tmp, 'track.json'), `${JSON.stringify(t.meta, null, 2)}\n`);
      writeFileSync(path.join(tmp, 'spec.md'), t.spec);
      writeFileSync(path.join(tmp, 'plan.md'), t.plan);
      renameSync(tmp, dir);
      written.push(dir);
    }
  } catch (err) {
    for (const dir of written) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return written;
}

/** Removes folders written by writeTracks (used to roll back when the database write fails). */
export function removeTrackFolders(dirs: readonly string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
