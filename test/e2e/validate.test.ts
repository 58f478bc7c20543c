// `ym validate` end to end: each built-in check passing and failing, configured checks that are
// missing, hang, or print megabytes of binary garbage (outputs: validate-outputs.test.ts).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJUnit } from '../helpers/junit.js';
import { processAlive } from '../helpers/track-repo.js';
import {
  byName,
  cleanTrackReposAfterEach,
  trackRepo,
  validateJson,
  ym,
  type JsonReport,
} from '../helpers/validate.js';

cleanTrackReposAfterEach();
const ALL_FAIL = {
  planComplete: 'fail',
  conflictMarkers: 'fail',
  scope: 'fail',
  upToDate: 'fail',
  trailers: 'fail',
};

describe('built-in checks', () => {
  it('all pass on a clean track branch: exit 0, table with symbols', async () => {
    const r = trackRepo({ config: { builtinChecks: ALL_FAIL }, scope: ['src/'] });
    const res = await ym(r, []);
    expect(res.stderr).not.toContain('error');
    expect(res.code).toBe(0);
    for (const name of ['plan-complete', 'conflict-markers', 'scope', 'up-to-date', 'trailers']) {
      expect(res.stdout).toMatch(new RegExp(`✓ pass\\s+${name}`));
    }
    expect(res.stdout).toContain('OK: 5 checks passed');
  });

  it('plan complete only warns by default: unticked tasks are shown, the configured checks decide', async () => {
    const r = trackRepo({ planDone: false, config: { checks: [{ name: 'ok', run: 'true' }] } });
    const { code, report } = await validateJson(r);
    expect(code).toBe(0);
    const plan = byName(report, 'plan-complete');
    expect(plan).toMatchObject({ status: 'fail', level: 'warn', kind: 'builtin' });
    expect(plan.message).toContain('2 of 3 tasks not done');
  });

  it('plan complete (strict, "fail") fails on an open task and names it', async () => {
    const r = trackRepo({ planDone: false, config: { builtinChecks: { planComplete: 'fail' } } });
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    const plan = byName(report, 'plan-complete');
    expect(plan).toMatchObject({ status: 'fail', level: 'fail', kind: 'builtin' });
    expect(plan.message).toContain('2 of 3 tasks not done');
    expect(plan.outputTail).toContain('1.1 Write a failing test');
    expect(plan.outputTail).not.toContain('1.3');
  });

  it('conflict markers fail in changed files only; binary files and heading underlines are fine', async () => {
    const r = trackRepo({
      files: {
        'src/a.js': 'ok\n',
        'docs/title.md': 'Title\n=======\n\ntext\n',
        'data.bin': Buffer.from([
          0, 1, 2, 0x3c, 0x3c, 0x3c, 0x3c, 0x3c, 0x3c, 0x3c, 0x20, 10,
        ]).toString('latin1'),
      },
    });
    expect(byName((await validateJson(r)).report, 'conflict-markers').status).toBe('pass');

    r.write('src/b.js', 'a\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> other\n');
    r.commit('conflicted\n\nYardmaster-Track: slugify');
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    const markers = byName(report, 'conflict-markers');
    expect(markers.status).toBe('fail');
    expect(markers.message).toContain('src/b.js');
    expect(markers.outputTail.split('\n')).toEqual([
      'src/b.js:2: <<<<<<< HEAD',
      'src/b.js:4: =======',
      'src/b.js:6: >>>>>>> other',
    ]);
  });

  it('conflict markers already on the target are not the track’s', async () => {
    const r = trackRepo();
    r.git(['switch', '-q', 'main']);
    r.write('old.txt', '<<<<<<< ancient\n');
    r.commit('old markers');
    r.git(['switch', '-q', r.branch]);
    r.git(['merge', '-q', '--no-edit', 'main']);
    const { report } = await validateJson(r);
    expect(byName(report, 'conflict-markers').status).toBe('pass');
  });

  it('scope: skipped without one, passes inside it (track docs always allowed), fails or warns outside', async () => {
    const none = trackRepo();
    expect(byName((await validateJson(none)).report, 'scope')).toMatchObject({
      status: 'skip',
      message: 'the track has no scope',
    });

    const inside = trackRepo({ scope: ['src/slugify.js', 'test'] });
    expect(byName((await validateJson(inside)).report, 'scope').status).toBe('pass');

    const outside = trackRepo({
      scope: ['src/other.js'],
      files: { 'src/slugify.js': 'x\n', 'README.md': 'changed\n' },
    });
    const warned = await validateJson(outside);
    expect(warned.code).toBe(0); // scope is warn by default
    const scope = byName(warned.report, 'scope');
    expect(scope).toMatchObject({ status: 'fail', level: 'warn' });
    expect(scope.outputTail.split('\n')).toEqual(['README.md', 'src/slugify.js']);
    expect((await ym(outside, [])).stdout).toMatch(/⚠ warn\s+scope/);

    outside.write(
      'yardmaster.json',
      JSON.stringify({ target: 'main', builtinChecks: { scope: 'fail' } }),
    );
    outside.commit('scope is strict\n\nYardmaster-Track: slugify');
    const failed = await validateJson(outside);
    expect(failed.code).toBe(1);
    expect(byName(failed.report, 'scope')).toMatchObject({ status: 'fail', level: 'fail' });
  });

  it('up to date fails when the target moved on, with how far behind', async () => {
    const r = trackRepo({ config: { builtinChecks: { upToDate: 'fail' } } });
    r.git(['switch', '-q', 'main']);
    r.write('news.txt', '1\n');
    r.commit('target moves 1');
    r.write('news.txt', '2\n');
    r.commit('target moves 2');
    r.git(['switch', '-q', r.branch]);
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    expect(byName(report, 'up-to-date').message).toMatch(
      /does not contain main .*2 commits behind/,
    );
    r.git(['rebase', '-q', 'main']);
    expect(byName((await validateJson(r)).report, 'up-to-date').status).toBe('pass');
  });

  it('trailers: every commit since the merge-base needs Yardmaster-Track: <id>', async () => {
    const r = trackRepo({ trailer: false, config: { builtinChecks: { trailers: 'fail' } } });
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    const t = byName(report, 'trailers');
    expect(t.message).toContain('1 of 1 commit lacks "Yardmaster-Track: slugify"');
    expect(t.outputTail).toMatch(/^[0-9a-f]{10} Implement slugify$/);
    r.git(['commit', '-q', '--amend', '-m', 'Implement slugify\n\nYardmaster-Track: slugify']);
    expect(byName((await validateJson(r)).report, 'trailers').status).toBe('pass');
  });

  it('off turns a built-in check off entirely', async () => {
    const r = trackRepo({ planDone: false, config: { builtinChecks: { planComplete: 'off' } } });
    const { code, report } = await validateJson(r);
    expect(code).toBe(0);
    expect(report.results.map((x) => x.name)).not.toContain('plan-complete');
  });
});

describe('configured checks', () => {
  it('run in order after the built-ins, each with its output tail, and all run even after a failure', async () => {
    const r = trackRepo({
      config: {
        checks: [
          { name: 'first', run: 'echo one; echo to-stderr >&2; exit 3' },
          { name: 'second', run: ['sh', '-c', 'echo "track=$YM_TRACK_ID target=$YM_TARGET"'] },
        ],
      },
    });
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    expect(report.results.map((x) => x.name).slice(-2)).toEqual(['first', 'second']);
    expect(byName(report, 'first')).toMatchObject({
      status: 'fail',
      exitCode: 3,
      kind: 'command',
      command: 'echo one; echo to-stderr >&2; exit 3',
    });
    expect(byName(report, 'first').outputTail).toBe('one\nto-stderr');
    expect(byName(report, 'second')).toMatchObject({
      status: 'pass',
      exitCode: 0,
      outputTail: 'track=slugify target=main',
    });
    expect(report.logFile).not.toBeNull();
    const log = readFileSync(report.logFile ?? '', 'utf8');
    expect(log).toContain('to-stderr');
    expect(log).toContain('track=slugify');
  });

  it('a command that does not exist is an error, as argv and through the shell', async () => {
    const r = trackRepo({
      config: {
        checks: [
          { name: 'argv', run: ['ym-no-such-program-1'] },
          { name: 'shell', run: 'ym-no-such-program-2 --x' },
        ],
      },
    });
    const res = await validateJson(r);
    expect(res.code).toBe(1);
    expect(byName(res.report, 'argv')).toMatchObject({
      status: 'error',
      message: expect.stringContaining('command not found: ym-no-such-program-1'),
    });
    const shell = byName(res.report, 'shell');
    expect(shell).toMatchObject({ status: 'error', exitCode: 127 });
    expect(shell.message).toContain('command not found');
    expect(shell.message).toContain('ym-no-such-program-2');
    const table = await ym(r, []);
    expect(table.stdout).toMatch(/✗ error\s+argv/);
  });

  it('a hanging check is killed by its timeout with its whole process group', async () => {
    const r = trackRepo({
      config: {
        checks: [
          {
            name: 'hang',
            // The child ignores SIGTERM and holds the output pipe: only killing the group ends it.
            run: [
              'sh',
              '-c',
              '(trap "" TERM; exec sleep 300) & echo $! > child.pid; echo started; wait',
            ],
            timeoutSec: 1,
          },
          { name: 'after', run: 'echo still-runs' },
        ],
      },
    });
    const started = Date.now();
    const { code, report } = await validateJson(r);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    const hang = byName(report, 'hang');
    expect(hang).toMatchObject({ status: 'fail', timedOut: true });
    expect(hang.message).toContain('timed out after 1s');
    expect(hang.outputTail).toContain('started');
    expect(byName(report, 'after').status).toBe('pass');
    const pid = Number(r.read('child.pid').trim());
    expect(pid).toBeGreaterThan(0);
    expect(processAlive(pid)).toBe(false);
  });

  it('megabytes of output and binary garbage: bounded, printable tail; every byte in the log', async () => {
    const script = [
      'const out = process.stdout;',
      "let s = ''; for (let i = 0; i < 140000; i++) s += 'line ' + i + ' of a very chatty test runner\\n';",
      'out.write(s);',
      'const junk = Buffer.alloc(4096); for (let i = 0; i < junk.length; i++) junk[i] = (i * 37) % 256;',
      "out.write(junk); out.write('\\n\\u001b[31mred\\u001b[0m ]]> end-marker\\n', () => process.exit(1));",
    ].join('\n');
    const r = trackRepo({
      config: { checks: [{ name: 'chatty', run: [process.execPath, '-e', script] }] },
    });
    const junit = path.join(r.root, 'report.xml');
    const res = await ym(r, ['--json', '--junit', junit]);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as JsonReport;
    const chatty = byName(report, 'chatty');
    expect(chatty.status).toBe('fail');
    expect(Buffer.byteLength(chatty.outputTail)).toBeLessThan(17 * 1024);
    expect(chatty.outputTail.split('\n').length).toBeLessThanOrEqual(201);
    expect(chatty.outputTail).toMatch(/^\[\.\.\. [\d.]+ MiB earlier; full output in .*\.log\]\n/);
    expect(chatty.outputTail).toContain('red ]]> end-marker');
    expect(chatty.outputTail).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const logFile = report.logFile ?? '';
    expect(statSync(logFile).size).toBeGreaterThan(5_000_000);
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('line 0 of a very chatty test runner\n');
    expect(log).toContain('line 139999 of');
    const parsed = parseJUnit(junit);
    const testcase = parsed.suites[0]?.testcases.find((t) => t.name === 'chatty');
    expect(testcase?.children[0]?.tag).toBe('failure');
    expect(testcase?.children[0]?.text).toContain('red ]]> end-marker');
  });
});
