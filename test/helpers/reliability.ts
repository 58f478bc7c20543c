// Evidence for docs/reliability.md: when YM_RELIABILITY_OUT names a file, each fault or bad-input
// test appends one JSON line saying what it tried, what yardmaster did and what it verified was
// not lost. `npm run reliability` runs the suites with it set and renders the table
// (scripts/reliability-table.mjs). Without the variable this does nothing.
import { appendFileSync } from 'node:fs';

export interface ReliabilityRow {
  /** The suite, e.g. "crash and resume" or "bad input: config". */
  suite: string;
  /** The fault injected or the input tried. */
  tried: string;
  /** What yardmaster did: exit code and message, or the end state. */
  outcome: string;
  /** What the test verified was kept: commits, state, files. */
  nothingLost: string;
}

/** Call at the end of a test, after its assertions, so only verified rows are recorded. */
export function recordReliability(row: ReliabilityRow): void {
  const file = process.env.YM_RELIABILITY_OUT;
  if (!file) return;
  // One short line per append: O_APPEND writes of this size do not interleave between workers.
  appendFileSync(file, `${JSON.stringify(row)}\n`);
}

/** The first line of a command's error output, without the "error: " prefix, for the table. */
export function firstError(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith('error: ')) ?? stderr.split('\n')[0] ?? '';
  return line.replace(/^error: /, '').trim();
}
