// Reads and validates yardmaster.json. Every problem is reported by field path; nothing is
// guessed or silently dropped.
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { formatIssues } from '../core/zod-errors.js';
import { ConfigSchema, type Config } from './schema.js';

export const CONFIG_FILE = 'yardmaster.json';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of yardmaster.json, whether or not it exists. */
  file: string;
  exists: boolean;
  /** sha256 of the file's bytes (of "" when absent): what `trust` approves. */
  hash: string;
}

/** Object keys the schema allows at `path`, for "did you mean" suggestions. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = ConfigSchema;
  for (const seg of [...path, null]) {
    // Unwrap defaults, optionals and prefaults to reach the object or record inside.
    for (;;) {
      const def = (schema as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
      if (def.innerType && ['default', 'prefault', 'optional', 'nullable'].includes(def.type)) {
        schema = def.innerType;
      } else break;
    }
    if (seg === null) break;
    if (schema instanceof z.ZodObject) {
      const next = (schema.shape as Record<string, z.ZodType>)[String(seg)];
      if (!next) return [];
      schema = next;
    } else if (schema instanceof z.ZodRecord) {
      schema = schema.valueType as z.ZodType;
    } else if (schema instanceof z.ZodArray) {
      schema = schema.element as z.ZodType;
    } else return [];
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

export function parseConfigText(text: string, file: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`, {
      hint: 'Fix the syntax, or check it with `ym config check`.',
    });
  }
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const lines = formatIssues(result.error.issues, knownKeysAt);
    throw new UsageError(`${file} is invalid:\n${lines.map((l) => `  ${l}`).join('\n')}`, {
      hint: 'Fix the fields above; `ym config schema` prints every allowed key.',
    });
  }
  return result.data;
}

export function loadConfig(root: string): LoadedConfig {
  const file = path.join(root, CONFIG_FILE);
  if (!existsSync(file)) {
    return { config: ConfigSchema.parse({}), file, exists: false, hash: sha256('') };
  }
  const text = readFileSync(file, 'utf8');
  return { config: parseConfigText(text, file), file, exists: true, hash: sha256(text) };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
