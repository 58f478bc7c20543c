// Adds new tracks to a repository: validates the whole batch against the tracks that exist,
// then writes their folders and their rows in one go (files rolled back if the database fails).
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { assertValidGraph } from '../core/graph.js';
import type { TrackFile } from '../core/track.js';
import { readTrackFiles, removeTrackFolders, writeTracks, type TrackDocs } from './files.js';
import type { StateStore } from '../state/store.js';

/** Throws (nothing written) if the batch clashes with existing ids or breaks the graph. */
export function validateNewTracks(
  existing: readonly TrackFile[],
  batch: readonly TrackDocs[],
  where: string,
): void {
  const ids = new Set(existing.map((t) => t.id));
  const seen = new Set<string>();
  for (const t of batch) {
    if (ids.has(t.meta.id)) {
      throw new UsageError(`${where}: track "${t.meta.id}" already exists.`, {
        hint: 'Choose another id (--id), or remove the existing track first.',
      });
    }
    if (seen.has(t.meta.id)) throw new UsageError(`${where}: duplicate track id "${t.meta.id}".`);
    seen.add(t.meta.id);
  }
  const graph = new Map<string, readonly string[]>();
  for (const t of existing) graph.set(t.id, t.dependsOn);
  for (const t of batch) graph.set(t.meta.id, t.meta.dependsOn);
  assertValidGraph(graph, where);
}

/** Mirrors the track files of a checkout into the state store (new ones enter as planned). */
export function syncTrackDefinitions(store: StateStore, files: readonly TrackFile[]): void {
  store.upsertTrackDefinitions(
    files.map((f) => ({ id: f.id, title: f.title, type: f.type, dependsOn: f.dependsOn })),
  );
}

/** Validates and writes a batch of tracks; returns the folders written. */
export async function registerTracks(
  ctx: Context,
  batch: readonly TrackDocs[],
  where: string,
): Promise<string[]> {
  const repo = await ctx.repo();
  const existing = readTrackFiles(repo.root);
  validateNewTracks(existing, batch, where);
  const store = await ctx.state();
  for (const t of batch) {
    if (store.getTrack(t.meta.id)?.archived) {
      throw new UsageError(
        `${where}: track "${t.meta.id}" already exists (archived under yardmaster/archive/).`,
        { hint: 'Choose another id (--id).' },
      );
    }
  }
  // Bring rows for tracks that exist only as files up to date first, so the batch's
  // dependencies on them resolve in the database too.
  syncTrackDefinitions(store, existing);
  const written = writeTracks(repo.root, batch);
  try {
    syncTrackDefinitions(
      store,
      batch.map((t) => t.meta),
    );
  } catch (err) {
    removeTrackFolders(written);
    throw err;
  }
  return written;
}
