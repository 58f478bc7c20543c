// The pure parts of the check runner (output tail, conflict markers, scope, JUnit, report) and
// runChecks itself called as implement and the merge queue call it, with an abort signal.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanOutput, OutputTail } from '../../src/checks/tail.js';
import { findMarkers, parseGrepOutput } from '../../src/checks/markers.js';
import { inScope } from '../../src/checks/builtin.js';
import { cdata, renderJUnit, xmlAttr } from '../../src/checks/junit.js';
import { formatDuration, summaryLine } from '../../src/checks/report.js';
import { runChecks } from '../../src/checks/run.js';
import type { CheckReport, CheckResult } from '../../src/checks/types.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { runProcess } from '../../src/proc/run.js';
import { makeTrackRepo, type TrackRepo } from '../helpers/track-repo.js';

describe('OutputTail', () => {
  it('keeps a bounded tail of any amount of output, with a note of what was dropped', () => {
    const tail = new OutputTail(1024);
    for (let i = 0; i < 100_000; i++) tail.push(Buffer.from(`line ${i}\n`));
    const text = tail.text(50, 'full output in x.log');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\[\.\.\. [\d.]+ (KiB|MiB) earlier; full output in x\.log\]$/);
    expect(lines.slice(1)).toHaveLength(50);
    expect(lines[lines.length - 1]).toBe('line 99999');
    expect(tail.totalBytes).toBeGreaterThan(900_000);
  });

  it('never splits a multi-byte character into garbage at the cut, and shows short output whole', () => {
    const tail = new OutputTail(16);
    tail.push(Buffer.from('ééééééééééééééééééé\nend\n'));
    expect(tail.text()).toMatch(/end$/);
    const small = new OutputTail();
    small.push(Buffer.from('a\r\nb\n'));
    expect(small.text()).toBe('a\nb');
  });

  it('cleans escape sequences, progress-bar redraws and control bytes', () => {
    expect(cleanOutput('\u001b[31mred\u001b[0m')).toBe('red');
    expect(cleanOutput('10%\r50%\r100%\n')).toBe('100%\n');
    expect(cleanOutput('a\u0000\u0001\u0002\u0003\u0004\u0005b')).toBe('a\ufffd\ufffd\ufffdb');
    expect(cleanOutput(Buffer.from([0xff, 0xfe, 0x41]).toString('utf8'))).toBe('\ufffd\ufffdA');
  });
});

describe('conflict markers', () => {
  const grep = (lines: [string, number, string][]) =>
    lines.map(([p, n, t]) => `abc:${p}\0${n}\0${t}\n`).join('');

  it('parses git grep -z output, paths with newlines included', () => {
    expect(parseGrepOutput(grep([['a b\nc.txt', 3, '<<<<<<< HEAD']]), 'abc')).toEqual([
      { path: 'a b\nc.txt', line: 3, text: '<<<<<<< HEAD' },
    ]);
  });

  it('counts ======= only between markers, per file', () => {
    const hits = findMarkers(
      parseGrepOutput(
        grep([
          ['doc.md', 2, '======='],
          ['x.js', 1, '<<<<<<< ours'],
          ['x.js', 3, '=======\r'],
          ['x.js', 5, '>>>>>>> theirs'],
          ['x.js', 9, '======='],
          ['y.md', 4, '========'],
          ['y.md', 5, '<<<<<<<no-space'],
        ]),
        'abc',
      ),
    );
    expect(hits.map((h) => `${h.path}:${h.line}`)).toEqual(['x.js:1', 'x.js:3', 'x.js:5']);
  });
});

describe('scope', () => {
  it('matches files and directory prefixes, not name prefixes', () => {
    expect(inScope('src/a.js', ['src'])).toBe(true);
    expect(inScope('src/a.js', ['src/'])).toBe(true);
    expect(inScope('src/a.js', ['./src/a.js'])).toBe(true);
    expect(inScope('srcs/a.js', ['src'])).toBe(false);
    expect(inScope('src/a.js.bak', ['src/a.js'])).toBe(false);
    expect(inScope('anything', ['.'])).toBe(true);
  });
});

const result = (over: Partial<CheckResult>): CheckResult => ({
  name: 'test',
  kind: 'command',
  status: 'pass',
  level: 'fail',
  exitCode: 0,
  durationMs: 1234,
  outputTail: '',
  ...over,
});
const report = (results: CheckResult[]): CheckReport => ({
  ok: false,
  results,
  headSha: 'a'.repeat(40),
  mergeBase: null,
  durationMs: 2500,
  interrupted: false,
});

describe('JUnit', () => {
  it('escapes attributes and keeps ]]> from closing CDATA early', () => {
    expect(xmlAttr('a<b>&"c\'\nd')).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;d');
    expect(cdata('x]]>y')).toBe('<![CDATA[x]]]]><![CDATA[>y]]>');
    expect(cdata('bell\u0007')).toBe('<![CDATA[bell\ufffd]]>');
  });

  it('one testsuite, one testcase per check, counts only fail-level problems as failures', () => {
    const xml = renderJUnit(
      report([
        result({ name: 'ok' }),
        result({
          name: 'bad',
          status: 'fail',
          exitCode: 1,
          message: 'exited with code 1',
          outputTail: 'boom',
        }),
        result({ name: 'gone', status: 'error', message: 'command not found: x' }),
        result({
          name: 'scope',
          kind: 'builtin',
          status: 'fail',
          level: 'warn',
          message: 'outside',
        }),
        result({ name: 'skipped', status: 'skip', message: 'no scope' }),
      ]),
      { trackId: 't', timestamp: new Date('2025-01-02T03:04:05.678Z') },
    );
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('tests="5" failures="1" errors="1" skipped="1" time="2.500"');
    expect(xml).toContain(
      '<failure message="exited with code 1" type="fail"><![CDATA[boom]]></failure>',
    );
    expect(xml).toContain('time="1.234"');
    expect(xml).toContain('timestamp="2025-01-02T03:04:05"');
  });
});

describe('report', () => {
  it('formats durations and a one-line verdict', () => {
    expect(formatDuration(12)).toBe('12ms');
    expect(formatDuration(1500)).toBe('1.5s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(
      summaryLine(
        report([
          result({ name: 'a', status: 'fail' }),
          result({ name: 'b', status: 'fail', level: 'warn' }),
        ]),
      ),
    ).toBe('FAILED: 1 of 2 checks failed (a), 1 warning (b), in 2.5s.');
  });
});

describe('runChecks', () => {
  let repo: TrackRepo | undefined;
  afterEach(() => repo?.cleanup());

  it('stops at the signal: the running check is interrupted, the rest are reported as skipped', async () => {
    repo = makeTrackRepo();
    const config = ConfigSchema.parse({
      checks: [
        { name: 'slow', run: ['sleep', '30'] },
        { name: 'never', run: ['true'] },
      ],
    });
    const controller = new AbortController();
    const started = Date.now();
    const done = runChecks(
      { run: runProcess },
      {
        cwd: repo.dir,
        trackId: 'slugify',
        target: 'main',
        signal: controller.signal,
        onStart: (name) => {
          if (name === 'slow') setTimeout(() => controller.abort(), 200);
        },
      },
      config,
    );
    const r = await done;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.interrupted).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.results.find((x) => x.name === 'slow')).toMatchObject({
      status: 'error',
      message: 'interrupted',
    });
    expect(r.results.find((x) => x.name === 'never')).toMatchObject({ status: 'skip' });
    expect(
      r.results
        .filter((x) => x.kind === 'builtin')
        .every((x) => x.status === 'pass' || x.status === 'skip'),
    ).toBe(true);
  });
});
