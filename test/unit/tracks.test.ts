import { describe, expect, it } from 'vitest';
import { assertTrackId, slugifyTitle, uniqueId } from '../../src/core/track.js';
import { assertValidGraph, findCycle, topoOrder } from '../../src/core/graph.js';
import { parsePlanFileText } from '../../src/planning/plan-file.js';
import { UsageError } from '../../src/core/errors.js';

describe('track ids', () => {
  it.each([
    ['has space', /whitespace/],
    ['a..b', /path characters/],
    ['a/b', /path characters/],
    ['Upper', /uppercase/],
    ['a'.repeat(49), /49 characters/],
    ['-lead', /starts with "-"/],
    ['', /empty/],
    ['semi;colon', /other than/],
  ])('rejects %j', (id, why) => {
    expect(() => assertTrackId(id)).toThrow(UsageError);
    expect(() => assertTrackId(id)).toThrow(why);
  });

  it('accepts valid ids', () => {
    expect(assertTrackId('a')).toBe('a');
    expect(assertTrackId('add-oauth-2')).toBe('add-oauth-2');
    expect(assertTrackId('a'.repeat(48))).toHaveLength(48);
  });

  it('derives ids from titles', () => {
    expect(slugifyTitle('Add OAuth login!')).toBe('add-oauth-login');
    expect(slugifyTitle('Café déjà vu')).toBe('cafe-deja-vu');
    expect(slugifyTitle('$(rm -rf /); `x`')).toBe('rm-rf-x');
    expect(slugifyTitle('!!!')).toBe('track');
    const long = slugifyTitle('word '.repeat(30));
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long.endsWith('-')).toBe(false);
  });

  it('makes ids unique', () => {
    const taken = new Set(['x', 'x-2']);
    expect(uniqueId('x', (i) => taken.has(i))).toBe('x-3');
    expect(uniqueId('y', (i) => taken.has(i))).toBe('y');
    const long = 'a'.repeat(48);
    expect(uniqueId(long, (i) => i === long)).toHaveLength(48);
  });
});

describe('dependency graph', () => {
  it('names the cycle', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(findCycle(g)).toEqual(['a', 'b', 'c', 'a']);
    expect(() => assertValidGraph(g, 'tracks.yaml')).toThrow(
      'tracks.yaml: dependency cycle a -> b -> c -> a.',
    );
  });

  it('rejects unknown dependencies and self-dependencies', () => {
    expect(() => assertValidGraph(new Map([['a', ['zz']]]), 'f')).toThrow(
      'depends on unknown track "zz"',
    );
    expect(() => assertValidGraph(new Map([['a', ['a']]]), 'f')).toThrow('depends on itself');
  });

  it('orders dependencies first', () => {
    const order = topoOrder(
      new Map([
        ['c', ['b']],
        ['b', ['a']],
        ['a', []],
        ['d', []],
      ]),
    );
    expect(order.indexOf('a')).toBeLessThan(order.indexOf('b'));
    expect(order.indexOf('b')).toBeLessThan(order.indexOf('c'));
    expect(order).toHaveLength(4);
  });
});

describe('plan files', () => {
  it('parses the YAML example of PRODUCT.md', () => {
    const plan = parsePlanFileText(
      [
        'objective: Add a string utilities module',
        'tracks:',
        '  - id: slugify',
        '    title: Add slugify()',
        '    type: feature',
        '    dependsOn: []',
        '    scope: [src/slugify.js, test/slugify.test.js]',
        '    spec: |',
        '      Make slugs.',
        '    phases:',
        '      - title: Implement',
        '        tasks: [Write failing test, Implement slugify]',
      ].join('\n'),
      'tracks.yaml',
    );
    expect(plan.tracks[0]?.id).toBe('slugify');
    expect(plan.tracks[0]?.phases?.[0]?.tasks).toEqual(['Write failing test', 'Implement slugify']);
  });

  it('reports missing fields and bad values by path', () => {
    expect(() => parsePlanFileText('tracks:\n  - title: x\n', 't.yaml')).toThrow(/tracks\[0\]\.id/);
    expect(() =>
      parsePlanFileText('tracks:\n  - id: a\n    title: x\n    type: epic\n', 't.yaml'),
    ).toThrow(/tracks\[0\]\.type/);
    expect(() =>
      parsePlanFileText('tracks:\n  - id: a\n    title: x\n    scope: [../etc]\n', 't.yaml'),
    ).toThrow(/tracks\[0\]\.scope\[0\]: must not contain "\.\."/);
    expect(() => parsePlanFileText('tracks: []\n', 't.yaml')).toThrow(/at least one track/);
    expect(() =>
      parsePlanFileText('tracks:\n  - id: a\n    title: x\n    dependson: []\n', 't.yaml'),
    ).toThrow(/did you mean "dependsOn"/);
  });

  it('rejects text that is not YAML or JSON, naming the line', () => {
    expect(() => parsePlanFileText('tracks:\n  - id: [unclosed\n  bad: : :\n', 't.yaml')).toThrow(
      /t\.yaml:\d+: not valid YAML/,
    );
    expect(() => parsePlanFileText('{"tracks": [', 't.json')).toThrow(/t\.json: not valid JSON/);
    expect(() => parsePlanFileText('just a sentence', 't.yaml')).toThrow(/expected a mapping/);
  });
});
