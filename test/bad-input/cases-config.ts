// Bad yardmaster.json: syntax, unknown keys, wrong types at several depths, enums, commands,
// paths and ref names that would escape, names that do not resolve. Each names the field path.
import type { BadInputCase, Sandbox } from './harness.js';
import { PROJECT_CONFIG } from './harness.js';

const config = (value: unknown) => (s: Sandbox) =>
  s.write('yardmaster.json', typeof value === 'string' ? value : JSON.stringify(value, null, 2));
const withConfig = (extra: Record<string, unknown>) => config({ ...PROJECT_CONFIG, ...extra });

const check = (name: string, extra: Record<string, unknown>, message: RegExp): BadInputCase => ({
  name: `config: ${name}`,
  setup: withConfig(extra),
  argv: ['config', 'check'],
  code: 2,
  message,
});

export const CONFIG_CASES: BadInputCase[] = [
  {
    name: 'config: not valid JSON',
    setup: config('{ "target": "main",'),
    argv: ['config', 'check'],
    code: 2,
    message: /yardmaster\.json: not valid JSON/,
  },
  {
    name: 'config: a JSON array',
    setup: config([]),
    argv: ['config', 'check'],
    code: 2,
    message: /\(root\): .*expected object/,
  },
  {
    name: 'config: invalid JSON stops status too',
    setup: config('{'),
    argv: ['status'],
    code: 2,
    message: /\/repo\/yardmaster\.json: not valid JSON/,
  },
  {
    name: 'config: invalid config stops implement',
    setup: withConfig({ concurrency: 'four' }),
    argv: ['implement'],
    code: 2,
    message: /yardmaster\.json is invalid:\n\s+concurrency: .*"four"/,
  },
  check(
    'unknown key, with a suggestion',
    { targt: 'main' },
    /targt: unknown key \(did you mean "target"\?\)/,
  ),
  check(
    'unknown nested key, with a suggestion',
    { merge: { stratgy: 'rebase' } },
    /merge\.stratgy: unknown key \(did you mean "strategy"\?\)/,
  ),
  check('wrong type at the top', { concurrency: '4' }, /concurrency: .*expected number.*"4"/),
  check('out of range', { attempts: 0 }, /attempts: .*>=1.*0/),
  check(
    'bad enum, depth 2',
    { merge: { strategy: 'yolo' } },
    /merge\.strategy: .*"rebase"\|"merge"\|"squash".*"yolo"/,
  ),
  check(
    'bad enum of a built-in check',
    { builtinChecks: { scope: 'maybe' } },
    /builtinChecks\.scope: .*"maybe"/,
  ),
  check(
    'wrong type, depth 3',
    { agents: { bot: { command: './bot.sh' } } },
    /agents\.bot\.command: .*expected array.*"\.\/bot\.sh"/,
  ),
  check(
    'wrong type, depth 4',
    { agents: { bot: { command: ['./bot.sh', 7] } } },
    /agents\.bot\.command\[1\]: .*expected string.*7/,
  ),
  check(
    'notify.command as a shell string',
    { notify: { command: 'curl -d @- https://chat.example' } },
    /notify\.command: .*expected array.*"curl -d @- https:\/\/chat\.example"/,
  ),
  check(
    'an unknown notify.on event',
    { notify: { command: ['./n.sh'], on: ['merged', 'landed'] } },
    /notify\.on\[1\]: .*"failed"\|"conflicted"\|"awaiting-approval"\|"merged"\|"budget".*"landed"/,
  ),
  check(
    'merge.requireApproval not a boolean',
    { merge: { requireApproval: 'yes' } },
    /merge\.requireApproval: .*expected boolean.*"yes"/,
  ),
  check('a check with an empty run', { checks: [{ name: 'test', run: '' }] }, /checks\[0\]\.run: /),
  check(
    'a check with an empty argv',
    { checks: [{ name: 'test', run: [] }] },
    /checks\[0\]\.run: /,
  ),
  check(
    'a check name with spaces',
    { checks: [{ name: 'unit tests', run: 'npm test' }] },
    /checks\[0\]\.name: .*"unit tests"/,
  ),
  check('a negative backoff', { retry: { backoffMs: -1 } }, /retry\.backoffMs: .*>=0.*-1/),
  check(
    'an agent name with spaces',
    { agents: { 'my bot': { command: ['x'] } } },
    /agents\.my bot: /,
  ),
  check('github without an owner', { github: { repo: 'r' } }, /github\.owner: /),
  check(
    'a gitlab host that is not a URL',
    { gitlab: { host: 'gitlab', project: 'g/p' } },
    /gitlab\.host: .*"gitlab"/,
  ),
  check(
    'worktrees.copy escaping with ..',
    { worktrees: { copy: ['../secrets.env'] } },
    /worktrees\.copy\[0\]: must not contain "\.\." .*"\.\.\/secrets\.env"/,
  ),
  check(
    'worktrees.copy absolute',
    { worktrees: { copy: ['/etc/passwd'] } },
    /worktrees\.copy\[0\]: must be relative to the repository root .*"\/etc\/passwd"/,
  ),
  check('branchPrefix escaping with ../', { branchPrefix: '../' }, /branchPrefix: .*"\.\.\/"/),
  check('branchPrefix with a leading dash', { branchPrefix: '-x' }, /branchPrefix: .*"-x"/),
  check('branchPrefix with a space', { branchPrefix: 'ym /' }, /branchPrefix: .*"ym \/"/),
  check(
    'target that is an option',
    { target: '--upload-pack=touch pwned' },
    /target: .*"--upload-pack=touch pwned"/,
  ),
  check('target with ..', { target: 'main..other' }, /target: .*"main\.\.other"/),
  check(
    'a forge remote that is an option',
    { github: { owner: 'o', repo: 'r', remote: '--receive-pack=x' } },
    /github\.remote: .*"--receive-pack=x"/,
  ),
  {
    ...check(
      "a forge token in an agent's env",
      { agents: { bot: { command: ['x'], env: { GITHUB_TOKEN: 'ghp_value_never_echoed' } } } },
      /agents\.bot\.env\.GITHUB_TOKEN: GITHUB_TOKEN is never passed to agents/,
    ),
    hidden: 'ghp_value_never_echoed',
  },
  {
    ...check(
      'an agent env value of the wrong type',
      { agents: { bot: { command: ['x'], env: { OPENAI_API_KEY: 123456789 } } } },
      /agents\.bot\.env\.OPENAI_API_KEY: .*expected string/,
    ),
    hidden: '123456789',
  },
  check('an agent that is not defined', { agent: 'nope' }, /agent: unknown agent "nope"/),
  check(
    'a planner agent that is not defined',
    { planner: { agent: 'nopr' } },
    /planner\.agent: unknown agent "nopr"/,
  ),
];
