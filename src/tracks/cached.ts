// The track files of a checkout through the digest cache: when no track.json changed since they
// were last validated, their parsed definitions come from the cache without loading zod.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cacheGet, cachePut, digest } from '../core/digest-cache.js';
import type { TrackFile } from '../core/track.js';
import { TRACKS_DIR } from './paths.js';

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export async function readTrackFilesCached(
  root: string,
  stateDir: string,
): Promise<{ files: TrackFile[]; fromCache: boolean }> {
  const dir = path.join(root, TRACKS_DIR);
  const parts: string[] = [];
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (!entry.isDirectory()) continue;
      const text = readIfExists(`${dir}/${entry.name}/track.json`);
      if (text !== null) parts.push(entry.name, text);
    }
  }
  const cacheFile = path.join(stateDir, 'cache', 'tracks.json');
  const key = digest([root, ...parts]);
  const hit = cacheGet<TrackFile[]>(cacheFile, key);
  if (hit) return { files: hit, fromCache: true };
  const { readTrackFiles } = await import('./files.js');
  const files = readTrackFiles(root);
  cachePut(cacheFile, key, files);
  return { files, fromCache: false };
}
