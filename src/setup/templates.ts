// Templates shipped with yardmaster (the package's templates/ folder), rendered with {{name}}
// placeholders. A placeholder without a value is an error, never silently left in a file.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../core/package.js';

/** Absolute path of the package's templates/ directory (works from src/ and from dist/). */
export function templatesDir(): string {
  return path.join(packageRoot(), 'templates');
}

export function readTemplate(relPath: string): string {
  return readFileSync(path.join(templatesDir(), relPath), 'utf8');
}

export function fillTemplate(
  text: string,
  vars: Readonly<Record<string, string>>,
  name = 'template',
): string {
  return text.replace(/\{\{\s*([a-zA-Z][\w]*)\s*\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`${name}: no value for {{${key}}}`);
    return value;
  });
}

export function renderTemplate(
  relPath: string,
  vars: Readonly<Record<string, string>> = {},
): string {
  return fillTemplate(readTemplate(relPath), vars, relPath);
}
