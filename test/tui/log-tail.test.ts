// Reading the end of a big log without reading all of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_TAIL_BYTES, lastLogLine, readLogTail } from '../../src/tui/log-tail.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-log-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('readLogTail', () => {
  it('reads only the last 64 KiB of a large log, dropping the cut first line', () => {
    const file = path.join(dir, 'run.log');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const tail = readLogTail(file);
    expect(tail.truncated).toBe(true);
    expect(tail.size).toBe(fs.statSync(file).size);
    expect(tail.lines.at(-1)).toBe(lines.at(-1));
    expect(tail.lines.join('\n').length).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    expect(lines).toContain(tail.lines[0]);
  });

  it('cleans escapes, and reports a missing file', () => {
    const file = path.join(dir, 'a.log');
    fs.writeFileSync(file, '\u001b[32mok\u001b[0m\tdone\n');
    expect(readLogTail(file)).toMatchObject({
      lines: ['ok  done'],
      truncated: false,
      missing: false,
    });
    expect(readLogTail(path.join(dir, 'nope.log'))).toMatchObject({ missing: true, lines: [] });
  });
});

describe('lastLogLine', () => {
  it('is the last non-empty line', () => {
    const file = path.join(dir, 'b.log');
    fs.writeFileSync(file, 'first\nEditing src/a.ts\n\n  \n');
    expect(lastLogLine(file)).toBe('Editing src/a.ts');
    expect(lastLogLine(path.join(dir, 'none'))).toBeNull();
  });
});
