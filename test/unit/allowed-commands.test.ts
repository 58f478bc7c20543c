// What an agent may run itself (src/agents/allowed-commands.ts, wired in src/agents/registry.ts):
// the configured checks and agents.<name>.allow, in each built-in's own permission form.
import { describe, expect, it } from 'vitest';
import { aiderTestArgs, claudeAllowRules } from '../../src/agents/allowed-commands.js';
import { resolveAgent } from '../../src/agents/registry.js';
import { repoCommands } from '../../src/config/commands.js';
import { ConfigSchema } from '../../src/config/schema.js';

describe('commands an agent may run', () => {
  it.each([
    ['a shell-string check, as typed', [{ run: 'npm test' }], [], ['Bash(npm test:*)']],
    ['an argv check, joined', [{ run: ['node', '--test'] }], [], ['Bash(node --test:*)']],
    [
      'allow entries as given, after the checks, no duplicates',
      [{ run: 'npm test' }],
      ['Bash(npm run lint:*)', 'Bash(npm test:*)'],
      ['Bash(npm test:*)', 'Bash(npm run lint:*)'],
    ],
    [
      'a check with a newline cannot be one prefix rule: left out',
      [{ run: 'npm test\nrm -rf /' }],
      [],
      [],
    ],
    ['no checks, no rules', [], [], []],
  ] as const)('claude: %s', (_name, checks, allow, want) => {
    expect(claudeAllowRules(checks as never, allow)).toEqual(want);
  });

  it('aider runs the checks as its own test loop', () => {
    expect(aiderTestArgs([{ run: 'npm test' }])).toEqual(['--test-cmd', 'npm test', '--auto-test']);
    expect(aiderTestArgs([{ run: 'npm test' }, { run: ['npm', 'run', 'lint'] }])).toEqual([
      '--test-cmd',
      '(npm test) && (npm run lint)',
      '--auto-test',
    ]);
    expect(aiderTestArgs([])).toEqual([]);
  });

  it('the built-in claude is started with exactly the git rules, the checks and its allow list; never a bypass', () => {
    const config = ConfigSchema.parse({
      checks: [{ name: 'test', run: 'npm test' }],
      agents: { claude: { allow: ['Bash(npm run lint:*)'] } },
    });
    const argv = resolveAgent('claude', config).command;
    expect(argv.slice(argv.indexOf('--allowedTools') + 1)).toEqual([
      'Bash(git add:*)',
      'Bash(git commit:*)',
      'Bash(git status:*)',
      'Bash(git diff:*)',
      'Bash(git log:*)',
      'Bash(npm test:*)',
      'Bash(npm run lint:*)',
    ]);
    expect(argv.join(' ')).not.toMatch(/bypassPermissions|dangerously/);
    // Without checks nothing is added.
    const bare = resolveAgent('claude', ConfigSchema.parse({})).command;
    expect(bare[bare.length - 1]).toBe('Bash(git log:*)');
  });

  it('codex keeps its sandbox; aider gets the test loop', () => {
    const config = ConfigSchema.parse({ checks: [{ name: 'test', run: ['node', '--test'] }] });
    expect(resolveAgent('codex', config).command).toEqual([
      'codex',
      'exec',
      '--json',
      '--sandbox',
      'workspace-write',
      '-',
    ]);
    expect(resolveAgent('aider', config).command.slice(-3)).toEqual([
      '--test-cmd',
      'node --test',
      '--auto-test',
    ]);
  });

  it("an allow list is the repository's word: ym trust lists it", () => {
    const config = ConfigSchema.parse({ agents: { claude: { allow: ['Bash(make:*)'] } } });
    expect(repoCommands(config, { checks: true })).toEqual([
      'agent "claude" may run: Bash(make:*)',
    ]);
  });
});
