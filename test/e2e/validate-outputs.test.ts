// `ym validate` outputs: the --json document's shape and the --junit XML read back by a real
// XML parser; an unwritable --junit path.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJUnit } from '../helpers/junit.js';
import {
  byName,
  cleanTrackReposAfterEach,
  trackRepo,
  validateJson,
  ym,
} from '../helpers/validate.js';

cleanTrackReposAfterEach();

describe('outputs', () => {
  it('--json has the documented shape', async () => {
    const r = trackRepo({ config: { checks: [{ name: 'ok', run: 'true' }] } });
    const { code, report } = await validateJson(r);
    expect(code).toBe(0);
    expect(Object.keys(report).sort()).toEqual(
      [
        'schemaVersion',
        'ok',
        'track',
        'branch',
        'target',
        'checkout',
        'headSha',
        'mergeBase',
        'mode',
        'builtinOnly',
        'interrupted',
        'durationMs',
        'logFile',
        'counts',
        'results',
      ].sort(),
    );
    expect(report).toMatchObject({
      schemaVersion: 1,
      ok: true,
      track: 'slugify',
      branch: 'ym/slugify',
      target: 'main',
      checkout: r.dir,
      headSha: r.git(['rev-parse', 'HEAD']).trim(),
      mergeBase: r.git(['rev-parse', 'main']).trim(),
      mode: 'local',
      builtinOnly: false,
      interrupted: false,
      counts: { pass: 5, fail: 0, skip: 1, error: 0 },
    });
    for (const result of report.results) {
      expect(Object.keys(result).sort()).toEqual([
        'command',
        'durationMs',
        'exitCode',
        'kind',
        'level',
        'message',
        'name',
        'outputTail',
        'status',
        'timedOut',
      ]);
    }
    expect(byName(report, 'ok')).toMatchObject({
      kind: 'command',
      status: 'pass',
      level: 'fail',
      exitCode: 0,
      command: 'true',
      timedOut: false,
    });
  });

  it('--junit writes XML that a real parser reads back: failure, error, skipped, warnings', async () => {
    const r = trackRepo({
      planDone: false,
      trailer: false,
      config: {
        builtinChecks: { planComplete: 'fail' },
        checks: [
          { name: 'fails', run: 'echo "bad <thing> & ]]> more"; exit 1' },
          { name: 'missing', run: ['ym-nope'] },
        ],
      },
    });
    const file = path.join(r.root, 'out', 'report.xml');
    mkdirSync(path.dirname(file));
    const res = await ym(r, ['--junit', file]);
    expect(res.code).toBe(1);
    const parsed = parseJUnit(file);
    expect(parsed.root).toBe('testsuites');
    expect(parsed.suites).toHaveLength(1);
    const suite = parsed.suites[0]!;
    expect(suite).toMatchObject({ tests: 7, failures: 2, errors: 1, skipped: 1 });
    const tc = (name: string) => suite.testcases.find((t) => t.name === name)!;
    expect(tc('plan-complete').children[0]).toMatchObject({ tag: 'failure', type: 'fail' });
    expect(tc('fails').children[0]).toMatchObject({
      tag: 'failure',
      message: 'exited with code 1',
      text: 'bad <thing> & ]]> more',
    });
    expect(tc('missing').children[0]?.tag).toBe('error');
    expect(tc('scope').children[0]?.tag).toBe('skipped');
    expect(tc('trailers').children[0]?.tag).toBe('system-out'); // warn level: reported, not failing
    expect(tc('up-to-date').children).toEqual([]);
    expect(tc('fails').classname).toBe('yardmaster.command');
  });

  it('--junit to an unwritable path is exit 2 before any check runs', async () => {
    const r = trackRepo({ config: { checks: [{ name: 'marker', run: 'touch ran.txt' }] } });
    for (const bad of [
      path.join(r.root, 'no-such-dir', 'r.xml'),
      r.root,
      path.join(r.dir, 'README.md', 'x.xml'),
    ]) {
      const res = await ym(r, ['--junit', bad]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('Cannot write the JUnit report');
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(path.join(r.dir, 'ran.txt'))).toBe(false);
  });
});
