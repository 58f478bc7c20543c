// Reads a file the user named on the command line (--from, --spec-file): a missing file, a
// directory or an unreadable file is bad input (exit 2) naming the flag and the path, never an
// unexpected failure.
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

export function readUserFile(file: string, flag: string): string {
  const fail = (why: string) =>
    new UsageError(`${flag}: ${file} ${why}.`, { hint: `Pass ${flag} a readable file.` });
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw fail('does not exist');
  if (stat.isDirectory()) throw fail('is a directory, not a file');
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(
      code === 'EACCES' || code === 'EPERM'
        ? 'cannot be read (permission denied)'
        : `cannot be read (${(err as Error).message})`,
    );
  }
}
