// yardmaster.json through the digest cache: the zod schema is loaded only when the file changed
// since it was last validated (invalid files are never cached).
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { cacheGet, cachePut } from '../core/digest-cache.js';
import type { LoadedConfig } from './load.js';

export async function loadConfigCached(root: string, stateDir: string): Promise<LoadedConfig> {
  const file = path.join(root, 'yardmaster.json');
  const exists = existsSync(file);
  const text = exists ? readFileSync(file, 'utf8') : '';
  const hash = createHash('sha256').update(text).digest('hex');
  const cacheFile = path.join(stateDir, 'cache', 'config.json');
  const key = `${exists ? 'file' : 'none'}:${hash}`;
  const hit = cacheGet<LoadedConfig['config']>(cacheFile, key);
  if (hit) return { config: hit, file, exists, hash };
  const { loadConfig } = await import('./load.js');
  const loaded = loadConfig(root);
  cachePut(cacheFile, key, loaded.config);
  return loaded;
}
