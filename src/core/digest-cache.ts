// Results of validating files, keyed by a digest of their bytes and the yardmaster version, so a
// command that only reads (status) can skip loading the schema library when nothing changed.
// A missing, corrupt or unwritable cache only means doing the work again.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageVersion } from './package.js';

interface Entry<T> {
  key: string;
  value: T;
}

export function digest(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function fullKey(key: string): string {
  return `${packageVersion()}:${key}`;
}

export function cacheGet<T>(file: string, key: string): T | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Entry<T>;
    return entry.key === fullKey(key) ? entry.value : undefined;
  } catch {
    return undefined;
  }
}

export function cachePut<T>(file: string, key: string, value: T): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key: fullKey(key), value }));
    renameSync(tmp, file);
  } catch {
    // A read-only state dir is fine: the next run validates again.
  }
}
