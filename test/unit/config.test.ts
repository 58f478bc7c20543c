import { describe, expect, it } from 'vitest';
import { parseConfigText, knownKeysAt } from '../../src/config/load.js';
import { configJsonSchema, defaultConfig } from '../../src/config/schema.js';
import { UsageError } from '../../src/core/errors.js';

function errorOf(text: string): UsageError {
  try {
    parseConfigText(text, 'yardmaster.json');
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('config', () => {
  it('fills defaults for an empty object', () => {
    const c = parseConfigText('{}', 'yardmaster.json');
    expect(c.target).toBe('main');
    expect(c.branchPrefix).toBe('ym/');
    expect(c.concurrency).toBe(4);
    expect(c.merge).toEqual({
      mode: 'auto',
      strategy: 'rebase',
      provider: 'local',
      deleteBranch: true,
      push: false,
      onConflict: 'mark',
      speculate: 'auto',
      requireApproval: false,
    });
    expect(c.notify).toEqual({
      on: ['failed', 'conflicted', 'awaiting-approval', 'merged', 'budget'],
      timeoutSec: 10,
    });
    expect(c.worktrees.dir).toBe('../{repo}.yardmaster');
    expect(c.planner.maxAttempts).toBe(3);
  });

  it('accepts the example of PRODUCT.md', () => {
    const c = parseConfigText(
      JSON.stringify({
        target: 'main',
        agents: { mybot: { command: ['./bot.sh', '{promptFile}'], timeoutSec: 1800, env: {} } },
        checks: [
          { name: 'test', run: 'npm test' },
          { name: 'lint', run: ['npm', 'run', 'lint'] },
        ],
        merge: { mode: 'auto', strategy: 'rebase', provider: 'local', deleteBranch: true },
        worktrees: { dir: '../{repo}.yardmaster', copy: ['.env'], setup: [], reuse: true },
        github: { owner: 'o', repo: 'r', baseUrl: 'https://api.github.com' },
        gitlab: { host: 'https://gitlab.com', project: 'group/name' },
      }),
      'yardmaster.json',
    );
    expect(c.agents.mybot?.command).toEqual(['./bot.sh', '{promptFile}']);
    expect(c.checks[1]?.run).toEqual(['npm', 'run', 'lint']);
    expect(c.checks[0]?.timeoutSec).toBe(600);
  });

  it('reports a wrong type by field path', () => {
    const e = errorOf('{"agents":{"mybot":{"command":"./bot.sh"}}}');
    expect(e.message).toMatch(/agents\.mybot\.command: .*expected array/i);
    expect(e.exitCode).toBe(2);
  });

  it('reports unknown keys with a suggestion, at any depth', () => {
    expect(errorOf('{"concurency": 2}').message).toContain(
      'concurency: unknown key (did you mean "concurrency"?)',
    );
    expect(errorOf('{"merge": {"stratgy": "rebase"}}').message).toContain(
      'merge.stratgy: unknown key (did you mean "strategy"?)',
    );
    expect(errorOf('{"zzzzzz": 1}').message).toMatch(/zzzzzz: unknown key$/m);
  });

  it('reports array indexes and enum values', () => {
    const e = errorOf(
      '{"checks":[{"name":"ok","run":"x"},{"name":"t","run":[]}],"merge":{"strategy":"yolo"}}',
    );
    expect(e.message).toContain('checks[1].run');
    expect(e.message).toContain('merge.strategy');
  });

  it('rejects invalid JSON with a clear message', () => {
    expect(errorOf('{"target": ').message).toMatch(/yardmaster\.json: not valid JSON/);
  });

  it('knows the keys at each path', () => {
    expect(knownKeysAt([])).toContain('worktrees');
    expect(knownKeysAt(['agents', 'x'])).toEqual([
      'command',
      'resume',
      'timeoutSec',
      'allow',
      'env',
      'parser',
    ]);
    expect(knownKeysAt(['nope'])).toEqual([]);
  });

  it('prints a JSON Schema with the top-level keys and no required defaults', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, unknown>;
      required?: string[];
    };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['target', 'agents', 'checks', 'merge']),
    );
    expect(schema.required ?? []).not.toContain('target');
    expect(defaultConfig().attempts).toBe(3);
  });
});

describe('config: budget and agent settings', () => {
  it('reads budget ceilings and refuses ones that are not positive', () => {
    const c = parseConfigText(
      JSON.stringify({ budget: { runUsd: 20, trackUsd: 4, runTokens: 5000000 } }),
      'yardmaster.json',
    );
    expect(c.budget).toEqual({ runUsd: 20, trackUsd: 4, runTokens: 5000000 });
    expect(parseConfigText('{}', 'yardmaster.json').budget).toEqual({});
    expect(errorOf(JSON.stringify({ budget: { trackUsd: 0 } })).message).toMatch(
      /budget\.trackUsd/,
    );
    expect(errorOf(JSON.stringify({ budget: { runUSD: 1 } })).message).toMatch(/runUSD/);
  });

  it("an agents entry without a command sets a built-in's settings; any other needs one", () => {
    const c = parseConfigText(
      JSON.stringify({ agents: { claude: { resume: false } } }),
      'yardmaster.json',
    );
    expect(c.agents.claude).toMatchObject({ resume: false });
    expect(errorOf(JSON.stringify({ agents: { mybot: { resume: false } } })).message).toMatch(
      /agents\.mybot\.command.*not a built-in agent/,
    );
  });
});
