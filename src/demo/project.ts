// The demo project: a tiny string-utilities package with a real test suite (node --test), and
// five tracks whose scripted agents show every part of the pipeline: parallel work, a
// dependency, a track that fails its tests once and is fixed from the feedback, and two tracks
// that change the same line, so the second is rebased (conflict resolved) and re-validated.

export const DEMO_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'demo-strings', version: '0.0.0', type: 'module', private: true, scripts: { test: 'node --test' } }, null, 2)}\n`,
  'README.md':
    '# demo-strings\n\nString utilities, built by several agents in parallel with yardmaster.\n',
  'src/index.js': '// The public API of the string utilities.\nexport {};\n',
  'test/index.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    '',
    "test('the package loads', async () => {",
    "  const api = await import('../src/index.js');",
    "  assert.equal(typeof api, 'object');",
    '});',
    '',
  ].join('\n'),
};

const BOTH_EXPORTS =
  "// The public API of the string utilities.\nexport { slugify } from './slugify.js';\nexport { capitalize } from './capitalize.js';\n";

function testFile(name: string, cases: string): string {
  return `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { ${name} } from '../src/${name}.js';\n\ntest('${name}', () => {\n${cases}\n});\n`;
}

export interface DemoTrack {
  id: string;
  title: string;
  type: 'feature' | 'chore';
  dependsOn: string[];
  spec: string;
  phases: { title: string; tasks: string[] }[];
  /** The scripted agent's attempts (agent-script.json). */
  script: { attempts: Record<string, unknown>[] };
}

const IMPLEMENT = [
  { title: 'Implement', tasks: ['Write the tests', 'Implement the function', 'Export it'] },
];

export const DEMO_TRACKS: DemoTrack[] = [
  {
    id: 'slugify',
    title: 'Add slugify()',
    type: 'feature',
    dependsOn: [],
    spec: 'Turn any string into a URL slug: lowercase, ASCII, words joined by "-".',
    phases: IMPLEMENT,
    script: {
      attempts: [
        {
          sleepMs: 300,
          files: {
            'src/slugify.js':
              "export function slugify(s) {\n  return s.normalize('NFKD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');\n}\n",
            'test/slugify.test.js': testFile(
              'slugify',
              "  assert.equal(slugify('Héllo, World!'), 'hello-world');",
            ),
            'src/index.js':
              "// The public API of the string utilities.\nexport { slugify } from './slugify.js';\n",
          },
          tick: 'all',
          commit: 'feat(strings): add slugify()',
        },
        {
          rebase: { resolve: { 'src/index.js': BOTH_EXPORTS } },
          tick: 'all',
          commit: 'fix(strings): export slugify next to capitalize',
        },
      ],
    },
  },
  {
    id: 'capitalize',
    title: 'Add capitalize()',
    type: 'feature',
    dependsOn: [],
    spec: 'Upper-case the first letter of a string. Exported from src/index.js, like slugify.',
    phases: IMPLEMENT,
    script: {
      attempts: [
        {
          sleepMs: 900,
          files: {
            'src/capitalize.js':
              'export function capitalize(s) {\n  return s.charAt(0).toUpperCase() + s.slice(1);\n}\n',
            'test/capitalize.test.js': testFile(
              'capitalize',
              "  assert.equal(capitalize('yard'), 'Yard');",
            ),
            // The same line slugify changes: the second to land conflicts and is rebased.
            'src/index.js':
              "// The public API of the string utilities.\nexport { capitalize } from './capitalize.js';\n",
          },
          tick: 'all',
          commit: 'feat(strings): add capitalize()',
        },
        {
          rebase: { resolve: { 'src/index.js': BOTH_EXPORTS } },
          tick: 'all',
          commit: 'fix(strings): export capitalize next to slugify',
        },
      ],
    },
  },
  {
    id: 'truncate',
    title: 'Add truncate()',
    type: 'feature',
    dependsOn: [],
    spec: 'Cut a string to at most n characters, ending with "…" when it was cut.',
    phases: IMPLEMENT,
    script: {
      attempts: [
        {
          // Off by one: the tests fail, and the feedback says so.
          files: {
            'src/truncate.js':
              "export function truncate(s, n) {\n  return s.length <= n ? s : s.slice(0, n) + '…';\n}\n",
            'test/truncate.test.js': testFile(
              'truncate',
              "  assert.equal(truncate('yardmaster', 5), 'yard…');\n  assert.equal(truncate('yard', 5), 'yard');",
            ),
          },
          tick: 'all',
          commit: 'feat(strings): add truncate()',
        },
        {
          needsFeedback: true,
          files: {
            'src/truncate.js':
              "export function truncate(s, n) {\n  return s.length <= n ? s : s.slice(0, n - 1) + '…';\n}\n",
          },
          commit: 'fix(strings): truncate() counts the ellipsis',
        },
      ],
    },
  },
  {
    id: 'pad',
    title: 'Add pad()',
    type: 'feature',
    dependsOn: [],
    spec: 'Pad a string on the left to a given width.',
    phases: IMPLEMENT,
    script: {
      attempts: [
        {
          sleepMs: 500,
          files: {
            'src/pad.js':
              "export function pad(s, width, fill = ' ') {\n  return s.padStart(width, fill);\n}\n",
            'test/pad.test.js': testFile('pad', "  assert.equal(pad('7', 3, '0'), '007');"),
          },
          tick: 'all',
          commit: 'feat(strings): add pad()',
        },
      ],
    },
  },
  {
    id: 'docs',
    title: 'Document slugify()',
    type: 'chore',
    dependsOn: ['slugify'],
    spec: 'Add a usage section for slugify() to the README.',
    phases: [{ title: 'Document', tasks: ['Write the usage section'] }],
    script: {
      attempts: [
        {
          files: {
            'docs/usage.md':
              "# Usage\n\n```js\nimport { slugify } from 'demo-strings';\nslugify('Héllo, World!'); // 'hello-world'\n```\n",
          },
          tick: 'all',
          commit: 'docs: how to use slugify()',
        },
      ],
    },
  },
];
