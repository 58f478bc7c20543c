// Reads the end of a run's log without reading the whole file: logs grow to megabytes while the
// view needs a screenful. Output is cleaned of escapes and control characters before display.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { oneLine, stripControl } from './event-fold.js';

export const LOG_TAIL_BYTES = 64 * 1024;
const MAX_LINES = 2000;

export interface LogTail {
  path: string;
  /** File size when read; the view re-reads only when it changes. */
  size: number;
  lines: string[];
  /** The file is longer than what was read. */
  truncated: boolean;
  missing: boolean;
}

export function fileSize(file: string): number | null {
  try {
    return statSync(file, { throwIfNoEntry: false })?.size ?? null;
  } catch {
    return null;
  }
}

/** The last `maxBytes` of `file` as clean lines; the cut first line is dropped. */
export function readLogTail(file: string, maxBytes = LOG_TAIL_BYTES): LogTail {
  const text = readEnd(file, maxBytes);
  if (text === null) return { path: file, size: 0, lines: [], truncated: false, missing: true };
  let lines = stripControl(text.body).replace(/\t/g, '  ').split('\n');
  if (text.truncated) lines.shift();
  if (lines.at(-1) === '') lines.pop();
  if (lines.length > MAX_LINES) lines = lines.slice(-MAX_LINES);
  return { path: file, size: text.size, lines, truncated: text.truncated, missing: false };
}

/** The last non-empty line of `file` (reads at most `maxBytes`), or null. */
export function lastLogLine(file: string, maxBytes = 4096): string | null {
  const text = readEnd(file, maxBytes);
  if (text === null) return null;
  const lines = stripControl(text.body).split('\n');
  for (let i = lines.length - 1; i >= (text.truncated ? 1 : 0); i--) {
    const line = oneLine(lines[i] ?? '');
    if (line !== '') return line;
  }
  return null;
}

function readEnd(
  file: string,
  maxBytes: number,
): { body: string; size: number; truncated: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    const read = readSync(fd, buf, 0, length, size - length);
    return { body: buf.subarray(0, read).toString('utf8'), size, truncated: size > length };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
