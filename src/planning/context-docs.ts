// The context documents `setup` writes (yardmaster/*.md), concatenated for prompts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOCS_DIR } from '../tracks/files.js';

export const CONTEXT_DOCS = [
  'product.md',
  'tech-stack.md',
  'workflow.md',
  'product-guidelines.md',
] as const;

export function readContextDocs(root: string): string {
  return CONTEXT_DOCS.map((name) => {
    const file = path.join(root, DOCS_DIR, name);
    return existsSync(file)
      ? `### ${DOCS_DIR}/${name}\n\n${readFileSync(file, 'utf8').trim()}\n`
      : '';
  })
    .filter(Boolean)
    .join('\n');
}
