// Usage, cost and session ids from each agent's output (claude and codex recorded from the real
// CLIs against fakellm, see test/fixtures/agent-streams/README.md), the usage file of custom
// agents, cost estimates from the price table, and the resume commands.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createParser,
  type AgentEvent,
  type AgentSummary,
  type ParserOptions,
  type Usage,
} from '../../src/agents/adapters/index.js';
import {
  BUILTIN_PRICES,
  costAt,
  estimateCost,
  findPrice,
  modelInCommand,
} from '../../src/agents/cost.js';
import { resolveAgent } from '../../src/agents/registry.js';
import { resumeCommand, sessionNotFound } from '../../src/agents/resume.js';
import {
  UsageFileError,
  mergeUsage,
  parseUsageFile,
  readUsageFile,
} from '../../src/agents/usage-file.js';
import { parseConfigText } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';

const CLAUDE_SESSION = 'bde3358a-609e-4533-8d64-eca885999d41';
const CODEX_THREAD = '01a242d3-b2a0-7450-af83-062af4e650cf';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/agent-streams/${name}`, import.meta.url));
}

interface Run {
  events: AgentEvent[];
  summary: AgentSummary;
}

function run(
  parser: string,
  chunks: readonly (string | Uint8Array)[],
  options: ParserOptions = {},
): Run {
  const p = createParser(parser, options);
  const events = chunks.flatMap((c) => p.push(c));
  return { events, summary: p.end() };
}

const whole = (parser: string, file: string, options: ParserOptions = {}) =>
  run(parser, [fixture(file)], options);
const usageEvents = (r: Run) => r.events.filter((e) => e.kind === 'usage');
/** The token and cost figures of each usage event, for comparing sequences compactly. */
const figures = (r: Run) =>
  usageEvents(r).map((e) => (e.kind === 'usage' ? [e.inputTokens, e.outputTokens, e.costUsd] : []));

/** Deterministic pseudo-random numbers (mulberry32), so a failing split can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('claude (recorded from claude 2.1.330)', () => {
  it('reads the run usage, the reported cost, the session id and the model', () => {
    const r = whole('claude', 'claude-usage.jsonl');
    expect(r.summary.usage).toEqual({
      inputTokens: 9080,
      outputTokens: 117,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.03866,
      costSource: 'reported',
      sessionId: CLAUDE_SESSION,
      model: 'claude-opus-5-5',
    });
    // The figures attempt.ts records today stay the same.
    expect(r.summary).toMatchObject({ inputTokens: 9080, outputTokens: 117, costUsd: 0.03866 });
  });

  it('reports usage as it streams: the session at init, then each request, then the result', () => {
    const r = whole('claude', 'claude-usage.jsonl');
    const first = usageEvents(r)[0];
    expect(first).toEqual({
      kind: 'usage',
      costSource: null,
      sessionId: CLAUDE_SESSION,
      model: 'claude-opus-5-5',
    });
    // Per message: that request's prompt tokens, and the output count known when it started.
    expect(figures(r)).toEqual([
      [undefined, undefined, undefined],
      [2913, 1, undefined],
      [2913 + 3033, 2, undefined],
      [2913 + 3033 + 3134, 3, undefined],
      [9080, 117, 0.03866],
    ]);
  });

  it('a resumed run keeps the session id and counts only its own tokens and cost', () => {
    const r = whole('claude', 'claude-usage-resumed.jsonl');
    expect(r.summary.resultText).toMatch(/^RESUMED: /);
    // total_cost_usd is 0.066216 there: the session's, first run included.
    expect(r.summary.usage).toEqual({
      inputTokens: 6519,
      outputTokens: 74,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.027556,
      costSource: 'reported',
      sessionId: CLAUDE_SESSION,
      model: 'claude-opus-5-5',
    });
  });

  it('without model_usage_since_last_result, the session total less the earlier runs', () => {
    const lines = fixture('claude-usage-resumed.jsonl').toString('utf8').trimEnd().split('\n');
    const result = JSON.parse(lines.pop() ?? '{}') as Record<string, unknown>;
    delete result.model_usage_since_last_result;
    const older = [...lines, JSON.stringify(result)].join('\n') + '\n';
    expect(run('claude', [older]).summary.costUsd).toBe(0.066216);
    expect(run('claude', [older], { sessionBefore: { costUsd: 0.03866 } }).summary.costUsd).toBe(
      0.027556,
    );
  });

  it('a fresh run with the same prompt is another session that saw nothing earlier', () => {
    const r = whole('claude', 'claude-usage-fresh.jsonl');
    expect(r.summary.resultText).toBe('FRESH: this conversation holds no earlier tool results.');
    expect(r.summary.usage.sessionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(r.summary.usage.sessionId).not.toBe(CLAUDE_SESSION);
    expect(r.summary.usage).toMatchObject({
      inputTokens: 2930,
      outputTokens: 21,
      costUsd: 0.01214,
    });
  });

  it('a resume of a session that does not exist fails, and says so', () => {
    const r = whole('claude', 'claude-resume-missing.jsonl');
    expect(r.summary.success).toBe(false);
    expect(r.summary.errorText).toBe(
      'claude ended with error_during_execution: No conversation found with session ID: 00000000-0000-4000-8000-000000000000',
    );
    expect(r.summary.usage).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: 0 });
    const stderr = fixture('claude-resume-missing.stderr.txt').toString('utf8');
    expect(sessionNotFound('claude', { errorText: r.summary.errorText, stderr })).toBe(true);
    const ok = whole('claude', 'claude-usage-resumed.jsonl').summary;
    expect(sessionNotFound('claude', { errorText: ok.errorText, stderr: '' })).toBe(false);
  });

  it('dedupes a message split over several lines (one per content block)', () => {
    const msg = (block: object) =>
      JSON.stringify({
        type: 'assistant',
        message: {
          id: 'msg_1',
          content: [block],
          usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 5 },
        },
      });
    const r = run('claude', [
      `${msg({ type: 'text', text: 'hi' })}\n${msg({ type: 'tool_use', name: 'Read', input: {} })}\n`,
    ]);
    expect(r.summary.usage).toEqual({
      inputTokens: 100,
      outputTokens: 5,
      cacheReadTokens: 90,
      costSource: null,
    });
  });
});

describe('codex (recorded from codex 0.169.0)', () => {
  it('reads the thread id at once and the tokens when the turn completes', () => {
    const r = whole('codex', 'codex-usage.jsonl');
    expect(usageEvents(r)).toEqual([
      { kind: 'usage', costSource: null, sessionId: CODEX_THREAD },
      {
        kind: 'usage',
        inputTokens: 21798,
        outputTokens: 189,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costSource: null,
        sessionId: CODEX_THREAD,
      },
    ]);
    expect(r.summary.usage.model).toBeUndefined();
    expect(whole('codex', 'codex-usage.jsonl', { model: 'gpt-5.5' }).summary.usage.model).toBe(
      'gpt-5.5',
    );
  });

  it("a resumed run reports the thread's totals; sessionBefore leaves this run's", () => {
    const resumed = whole('codex', 'codex-usage-resumed.jsonl');
    expect(resumed.summary.usage).toMatchObject({
      sessionId: CODEX_THREAD,
      inputTokens: 37033,
      outputTokens: 374,
    });
    expect(resumed.summary.resultText).toMatch(/^RESUMED: /);
    const first = whole('codex', 'codex-usage.jsonl').summary.usage;
    const own = whole('codex', 'codex-usage-resumed.jsonl', { sessionBefore: first }).summary.usage;
    // 15235 = what the fake counted for the two requests of the resumed run (7524 + 7711).
    expect(own).toEqual({
      inputTokens: 15235,
      outputTokens: 185,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costSource: null,
      sessionId: CODEX_THREAD,
    });
  });

  it('a baseline larger than the totals (not the same thread) is ignored', () => {
    const r = whole('codex', 'codex-usage.jsonl', {
      sessionBefore: { inputTokens: 50_000, outputTokens: 1 },
    });
    expect(r.summary.usage).toMatchObject({ inputTokens: 21798, outputTokens: 189 });
  });

  it('a resume of a thread that does not exist is told from its stderr', () => {
    const stderr = fixture('codex-resume-missing.stderr.txt').toString('utf8');
    expect(sessionNotFound('codex', { errorText: null, stderr })).toBe(true);
    expect(sessionNotFound('codex', { errorText: null, stderr: 'WARNING: proceeding' })).toBe(
      false,
    );
    expect(sessionNotFound('aider', { errorText: null, stderr })).toBe(false);
  });
});

describe('gemini, opencode, aider (written to their documented formats)', () => {
  it('gemini: session and model from init, tokens and cache from the result stats, no cost', () => {
    expect(whole('gemini', 'gemini.jsonl').summary.usage).toEqual({
      inputTokens: 17904,
      outputTokens: 746,
      cacheReadTokens: 12011,
      costSource: null,
      sessionId: 'c5b7e0d2-33a1-4f0e-9f6b-2a8d1e4c7f10',
      model: 'gemini-2.5-pro',
    });
  });

  it('opencode: the session from any event, tokens and cost summed over the steps', () => {
    const r = whole('opencode', 'opencode.jsonl');
    expect(r.summary.usage).toEqual({
      inputTokens: 7952 + (1203 + 7900) + (160 + 9100),
      outputTokens: 35 + 24 + 410 + 22,
      cacheReadTokens: 7900 + 9100,
      cacheWriteTokens: 0,
      costUsd: 0.0216,
      costSource: 'reported',
      sessionId: 'ses_fd1c15233ffeiwqf92JsdPfahU',
    });
    expect(figures(r)).toEqual([
      [undefined, undefined, undefined],
      [7952, 59, 0.0123],
      [7952 + 9103, 59 + 410, 0.0204],
      [26315, 491, 0.0216],
    ]);
  });

  it('aider: the model from its banner, tokens per message, its session cost', () => {
    const r = whole('aider', 'aider.txt');
    expect(r.summary.usage).toEqual({
      inputTokens: 4200 + 5600 + 3100,
      outputTokens: 612 + 301,
      cacheReadTokens: 3100,
      cacheWriteTokens: 3100 + 1200,
      costUsd: 0.05,
      costSource: 'reported',
      model: 'anthropic/claude-sonnet-4-20250514',
    });
    // The first Tokens line carries its Cost; the second's Cost comes on the next line.
    expect(figures(r)).toEqual([
      [undefined, undefined, undefined],
      [4200, 612, 0.02],
      [12900, 913, 0.02],
      [12900, 913, 0.05],
    ]);
  });
});

const USAGE_STREAMS: readonly [string, string][] = [
  ['claude', 'claude-usage.jsonl'],
  ['claude', 'claude-usage-resumed.jsonl'],
  ['claude', 'claude.jsonl'],
  ['codex', 'codex-usage.jsonl'],
  ['gemini', 'gemini.jsonl'],
  ['opencode', 'opencode.jsonl'],
  ['aider', 'aider.txt'],
];

describe.each(USAGE_STREAMS)('usage events of %s on %s', (parser, file) => {
  const bytes = fixture(file);
  const expected = usageEvents(whole(parser, file));

  it('are the same for chunks cut at arbitrary byte boundaries', () => {
    const rnd = random(bytes.length);
    for (let round = 0; round < 40; round++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length;) {
        const n = 1 + Math.floor(rnd() * (round % 2 ? 7 : 300));
        chunks.push(bytes.subarray(i, i + n));
        i += n;
      }
      expect(usageEvents(run(parser, chunks))).toEqual(expected);
    }
  });

  it('come before the end: the totals of a line are out once its newline has arrived', () => {
    const p = createParser(parser);
    const seen: AgentEvent[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const events = p.push(bytes.subarray(i, i + 1));
      // A usage event only ever comes with the byte that ends a line.
      if (events.some((e) => e.kind === 'usage')) expect(bytes[i]).toBe(0x0a);
      seen.push(...events);
    }
    expect(usageEvents({ events: seen, summary: p.end() })).toEqual(expected);
  });
});

describe('the usage file ($YM_USAGE_FILE)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const write = (text: string) => {
    dir ??= mkdtempSync(path.join(tmpdir(), 'ym-usage-'));
    const file = path.join(dir, 'usage.json');
    writeFileSync(file, text);
    return file;
  };
  const problems = (text: string): readonly string[] => {
    try {
      parseUsageFile(text, 'usage.json');
    } catch (err) {
      if (err instanceof UsageFileError) return err.problems;
      throw err;
    }
    return [];
  };

  it('reads every field; a reported cost is marked reported', () => {
    const file = write(
      JSON.stringify({
        inputTokens: 1200,
        outputTokens: 300,
        cacheReadTokens: 1000,
        cacheWriteTokens: 100,
        costUsd: 0.0042,
        sessionId: 'run-7',
        model: 'my-model',
      }),
    );
    expect(readUsageFile(file)).toEqual({
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadTokens: 1000,
      cacheWriteTokens: 100,
      costUsd: 0.0042,
      costSource: 'reported',
      sessionId: 'run-7',
      model: 'my-model',
    });
    expect(readUsageFile(write('{"outputTokens": 5}'))).toEqual({
      outputTokens: 5,
      costSource: null,
    });
  });

  it('a missing or empty file is unknown usage, not zero', () => {
    expect(readUsageFile(path.join(tmpdir(), 'ym-no-such-dir', 'usage.json'))).toBeNull();
    expect(readUsageFile(write(' \n'))).toBeNull();
  });

  it('reports each problem by field path', () => {
    expect(
      problems(
        '{"inputTokens": -1, "costUSD": 1, "model": 5, "outputTokens": 2.5, "costUsd": "0.1"}',
      ),
    ).toEqual([
      'inputTokens: expected a whole number of tokens, 0 or more (got -1)',
      'outputTokens: expected a whole number of tokens, 0 or more (got 2.5)',
      'costUsd: expected US dollars, 0 or more (got "0.1")',
      'model: Invalid input: expected string, received number (got 5)',
      'costUSD: unknown key (did you mean "costUsd"?)',
    ]);
    expect(problems('{"inputTokens": 10, "cacheReadTokens": 8, "cacheWriteTokens": 5}')).toEqual([
      'inputTokens: is 10, but it includes the cache tokens (cacheReadTokens + cacheWriteTokens = 13)',
    ]);
    expect(problems('[1]')).toEqual([
      '(root): Invalid input: expected object, received array (got [1])',
    ]);
    expect(problems('{"inputTokens": 1,')[0]).toMatch(/^not valid JSON \(/);
  });

  it('the error names the file and the variable', () => {
    const file = write('{"sessionId": ""}');
    expect(() => readUsageFile(file)).toThrow(`${file} (YM_USAGE_FILE) is invalid:\n  sessionId: `);
  });

  it("merges into the parser's usage, the file's fields winning", () => {
    const parsed: Usage = { inputTokens: 10, outputTokens: 2, costSource: null, sessionId: 'a' };
    expect(mergeUsage(parsed, { costUsd: 0.5, costSource: 'reported', sessionId: 'b' })).toEqual({
      inputTokens: 10,
      outputTokens: 2,
      costUsd: 0.5,
      costSource: 'reported',
      sessionId: 'b',
    });
    expect(mergeUsage(parsed, null)).toBe(parsed);
  });
});

describe('cost estimates', () => {
  it('prices a recorded run by the model family, cache tokens at their own rates', () => {
    // claude.jsonl: 31 fresh + 12840 cache writes + 98121 cache reads, 2210 out, sonnet 4.5.
    const usage = whole('claude', 'claude.jsonl').summary.usage;
    const price = findPrice(usage.model, 'claude');
    expect(price).toEqual({
      key: 'claude-sonnet-4-5',
      from: 'builtin',
      price: BUILTIN_PRICES['claude-sonnet-4-5'],
    });
    expect(costAt(usage, price!.price)).toBe(0.1108293); // (31*3 + 12840*3.75 + 98121*0.3 + 2210*15) / 1e6
    // Its reported cost is kept as it is.
    expect(estimateCost(usage)).toBe(usage);
  });

  it('estimates where only tokens are known, and says so', () => {
    const gemini = whole('gemini', 'gemini.jsonl').summary.usage;
    // (5893*1.25 + 12011*0.31 + 746*10) / 1e6
    expect(estimateCost(gemini)).toEqual({
      ...gemini,
      costUsd: 0.01854966,
      costSource: 'estimated',
    });
    const codex = whole('codex', 'codex-usage.jsonl', { model: 'gpt-5-codex' }).summary.usage;
    expect(estimateCost(codex)).toMatchObject({ costUsd: 0.0291375, costSource: 'estimated' }); // 21798*1.25 + 189*10
  });

  it('the user prices win: by model, by model family, by agent name; provider prefixes and dates are ignored', () => {
    const usage: Usage = {
      inputTokens: 2_000_000,
      outputTokens: 1_000_000,
      costSource: null,
      model: 'openai/gpt-5-2025-08-07',
    };
    expect(estimateCost(usage).costUsd).toBe(12.5); // built-in gpt-5: 2*1.25 + 1*10
    const prices = { 'gpt-5': { inputPerMTok: 1, outputPerMTok: 2 } };
    expect(estimateCost(usage, prices).costUsd).toBe(4);
    const byAgent = { codex: { inputPerMTok: 0.5, outputPerMTok: 1 } };
    expect(estimateCost({ ...usage, model: 'gpt-5.5' }, byAgent, 'codex').costUsd).toBe(2);
    expect(findPrice('Claude-Sonnet-4-5-20250929', undefined)?.key).toBe('claude-sonnet-4-5');
  });

  it('no price or half the figures: the cost stays unknown', () => {
    const fake: Usage = {
      inputTokens: 9080,
      outputTokens: 117,
      costSource: null,
      model: 'gpt-5.5',
    };
    expect(estimateCost(fake)).toBe(fake);
    // A newer release of a family is not priced as an older one (Opus 4.5 costs a third of 4.1).
    const newer: Usage = { ...fake, model: 'claude-opus-4-6' };
    expect(estimateCost(newer)).toBe(newer);
    const noOutput: Usage = { inputTokens: 9080, costSource: null, model: 'gpt-5' };
    expect(estimateCost(noOutput)).toEqual(noOutput);
  });

  it('cache prices default to the input price', () => {
    expect(
      costAt(
        { inputTokens: 1_000_000, cacheReadTokens: 400_000, outputTokens: 0 },
        { inputPerMTok: 2, outputPerMTok: 8 },
      ),
    ).toBe(2);
  });

  it('finds the model in an agent command', () => {
    expect(modelInCommand(['codex', 'exec', '-m', 'gpt-5', '-'])).toBe('gpt-5');
    expect(modelInCommand(['claude', '-p', '--model=claude-haiku-4-5'])).toBe('claude-haiku-4-5');
    expect(modelInCommand(['codex', 'exec', '-c', 'model="o3"', '-'])).toBe('o3');
    expect(modelInCommand(['codex', 'exec', '--json', '-'])).toBeUndefined();
  });

  it('yardmaster.json takes prices, default none, checked by field path', () => {
    expect(defaultConfig().prices).toEqual({});
    const config = parseConfigText(
      '{"prices": {"my-model": {"inputPerMTok": 1, "outputPerMTok": 4, "cacheReadPerMTok": 0.1}}}',
      'yardmaster.json',
    );
    expect(config.prices['my-model']).toEqual({
      inputPerMTok: 1,
      outputPerMTok: 4,
      cacheReadPerMTok: 0.1,
    });
    expect(() =>
      parseConfigText(
        '{"prices": {"m": {"inputPerMTok": -1, "outputPerMtok": 4}}}',
        'yardmaster.json',
      ),
    ).toThrow(
      /prices\.m\.inputPerMTok: Too small[\s\S]*prices\.m\.outputPerMTok: Invalid input[\s\S]*prices\.m\.outputPerMtok: unknown key \(did you mean "outputPerMTok"\?\)/,
    );
  });
});

describe('resume commands', () => {
  const config = defaultConfig();
  const agent = (name: string) => resolveAgent(name, config);

  it('claude: the same command with --resume <session_id>', () => {
    expect(resumeCommand(agent('claude'), CLAUDE_SESSION)).toEqual([
      ...agent('claude').command,
      '--resume',
      CLAUDE_SESSION,
    ]);
  });

  it('codex: exec resume <thread_id>, the sandbox as a config value since resume takes no --sandbox', () => {
    expect(resumeCommand(agent('codex'), CODEX_THREAD)).toEqual([
      'codex',
      'exec',
      '--json',
      '-c',
      'sandbox_mode="workspace-write"',
      'resume',
      CODEX_THREAD,
      '-',
    ]);
  });

  it('gemini --resume <id>, opencode --session <id>; aider and custom agents cannot', () => {
    expect(resumeCommand(agent('gemini'), 'c5b7e0d2')?.slice(-2)).toEqual(['--resume', 'c5b7e0d2']);
    expect(resumeCommand(agent('opencode'), 'ses_fd1c')).toEqual([
      'opencode',
      'run',
      '--format',
      'json',
      '--session',
      'ses_fd1c',
    ]);
    expect(resumeCommand(agent('aider'), 'x')).toBeNull();
    const custom = resolveAgent('bot', {
      ...config,
      agents: { bot: { command: ['claude', '-p'], timeoutSec: 60, env: {} } },
    });
    expect(resumeCommand(custom, CLAUDE_SESSION)).toBeNull();
  });

  it('refuses an id that would read as a flag', () => {
    expect(resumeCommand(agent('claude'), '--dangerously-skip-permissions')).toBeNull();
    expect(resumeCommand(agent('claude'), '')).toBeNull();
  });

  it('the recorded resumed runs sent the earlier turns; the fresh run did not', () => {
    const runs = JSON.parse(fixture('resume-requests.json').toString('utf8')) as {
      run: string;
      requests: { toolResults: number; conversation: string[]; reply: string[] }[];
    }[];
    const byRun = new Map(runs.map((r) => [r.run, r.requests]));
    const earlier = {
      claude: ['prompt Track: usage-demo', 'call Write', 'result', 'call Bash', 'result'],
      codex: [
        'prompt Track: usage-demo',
        'call apply_patch',
        'result',
        'call exec_command',
        'result',
      ],
    };
    for (const name of ['claude', 'codex'] as const) {
      const first = byRun.get(`${name}-usage-resumed`)?.[0];
      expect(first?.conversation).toEqual([...earlier[name], 'prompt Track: usage-demo, feedback']);
      expect(first?.toolResults).toBe(2);
      expect(byRun.get(`${name}-resume-missing`)).toEqual([]); // failed before any request
    }
    expect(byRun.get('claude-usage-fresh')).toEqual([
      {
        n: 6,
        api: 'anthropic',
        marker: 'Track: usage-demo, feedback',
        toolResults: 0,
        reply: ['FRESH: this conversation holds no earlier tool results.'],
        conversation: ['prompt Track: usage-demo, feedback'],
      },
    ]);
  });
});
