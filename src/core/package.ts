// Where the installed package lives (templates/, hooks/, package.json), found by walking up
// from this module: the same answer from src/ under tests and from the bundled dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(path.join(dir, 'templates'))) return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('yardmaster: cannot find the package root (package.json with templates/)');
    dir = parent;
  }
}

export function packageVersion(): string {
  return (
    JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}
