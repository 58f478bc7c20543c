// Evidence for docs/reliability.md: when YM_RELIABILITY_OUT names a file, each fault or bad-input
// test appends one JSON line saying what it tried, what yardmaster did and what it verified was
// not lost. `npm run reliability` runs the suites with it set and renders the table
// (scripts/reliability-table.mjs). Without the variable this does nothing.
import { appendFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';

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

const TEMP_DIR = new RegExp(
  `${realpathSync(tmpdir()).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/ym-[\\w-]*?[A-Za-z0-9]{6}(?=/|\\b)`,
  'g',
);

/** Call at the end of a test, after its assertions, so only verified rows are recorded. */
export function recordReliability(row: ReliabilityRow): void {
  const file = process.env.YM_RELIABILITY_OUT;
  if (!file) return;
  // Temporary directories differ on every run: the table must not.
  const clean = (text: string) => text.replace(TEMP_DIR, '<tmp>').replace(/\s*\n\s*/g, ' ');
  const stable = {
    suite: row.suite,
    tried: clean(row.tried),
    outcome: clean(row.outcome),
    nothingLost: clean(row.nothingLost),
  };
  // One write per row with O_APPEND: rows from parallel test workers stay whole lines.
  appendFileSync(file, `${JSON.stringify(stable)}\n`);
}

/** A command's error message for the table: the error line, its details and hint, on one line. */
export function errorMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const start = lines.findIndex((l) => l.startsWith('error: '));
  const kept = lines
    .slice(Math.max(start, 0))
    .filter((l) => l !== '' && l !== '(run with --help for usage)');
  return kept.join(' — ').replace(/^error: /, '');
}

/** argv as a user would type it, quoting only what needs quotes. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./{}-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** `text` as a markdown code span, whatever backticks it holds. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}
