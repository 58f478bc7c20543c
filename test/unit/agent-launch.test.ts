// launchAgent with a real child process standing in for an agent CLI: the prompt arrives on
// stdin (which is then closed, or the agent would hang), the output is parsed as it streams,
// and the summary comes back with the outcome.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchAgent } from '../../src/agents/launch.js';
import { judgeAgentExit, type AgentEvent } from '../../src/agents/adapters/index.js';
import { BUILTIN_AGENTS, type AgentDefinition } from '../../src/agents/registry.js';
import { createContext } from '../../src/cli/runner.js';

const STREAMS = new URL('../fixtures/agent-streams/', import.meta.url).pathname;
const REPLAY = path.join(STREAMS, 'replay-agent.mjs');

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function context() {
  const sink = { write: () => true };
  const opts = { cwd: process.cwd(), json: false, debug: false, yes: true };
  return createContext(
    opts,
    { env: process.env, stdout: sink, stderr: sink, stdinIsTTY: false },
    new AbortController().signal,
  ).ctx;
}

function agent(stream: string, overrides: Partial<AgentDefinition> = {}): AgentDefinition {
  return {
    name: 'claude',
    kind: 'builtin',
    command: [process.execPath, REPLAY, path.join(STREAMS, stream)],
    timeoutSec: 20,
    env: {},
    fromRepoConfig: false,
    parser: 'claude',
    promptViaStdin: true,
    ...overrides,
  };
}

async function launch(def: AgentDefinition) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ym-launch-'));
  dirs.push(dir);
  const stdinFile = path.join(dir, 'stdin.txt');
  const events: AgentEvent[] = [];
  const chunks: string[] = [];
  const outcome = await launchAgent(context(), def, {
    cwd: dir,
    prompt: '# Track slugify\nDo the work.\n',
    promptFile: path.join(dir, 'prompt.md'),
    trackId: 'slugify',
    env: { YM_TRACK_ID: 'slugify', REPLAY_STDIN_FILE: stdinFile },
    onEvent: (e) => events.push(e),
    onOutput: (c, stream) => stream === 'stdout' && chunks.push(c.toString('utf8')),
  });
  return { outcome, events, chunks, stdin: readFileSync(stdinFile, 'utf8') };
}

describe('launchAgent', () => {
  it('sends the prompt on stdin, closes it, and parses the output as it streams', async () => {
    const { outcome, events, chunks, stdin } = await launch(agent('claude.jsonl'));
    expect(stdin).toBe('# Track slugify\nDo the work.\n');
    expect(outcome.exitCode).toBe(0);
    expect(chunks.length).toBeGreaterThan(1);
    expect(events.filter((e) => e.kind === 'activity').length).toBeGreaterThan(3);
    expect(events).toContainEqual({ kind: 'denied', tool: 'Bash', text: 'Bash: npm test' });
    expect(outcome.summary).toMatchObject({ success: true, costUsd: 0.1832 });
    expect(judgeAgentExit(outcome.summary, outcome.exitCode)).toEqual({ ok: true });
  });

  it('gives an agent that does not take the prompt on stdin an empty, closed stdin', async () => {
    const { outcome, stdin } = await launch(
      agent('codex-failed.jsonl', { parser: 'codex', promptViaStdin: false }),
    );
    expect(stdin).toBe('');
    expect(outcome.summary.success).toBe(false);
    expect(judgeAgentExit(outcome.summary, outcome.exitCode).reason).toMatch(/401 Unauthorized/);
  });

  it('judges a non-zero exit a failure even when the stream looked fine', async () => {
    const def = agent('claude.jsonl');
    const { outcome } = await launch({ ...def, command: [...def.command, '3'] });
    expect(outcome.exitCode).toBe(3);
    expect(judgeAgentExit(outcome.summary, outcome.exitCode)).toMatchObject({ ok: false });
  });
});

describe('built-in invocations', () => {
  const argv = (name: string) => BUILTIN_AGENTS[name]?.command ?? [];

  it('give the prompt one way only: on stdin, or through a placeholder', () => {
    for (const [name, def] of Object.entries(BUILTIN_AGENTS)) {
      const placeholders = def.command.filter((a) => /\{prompt(File)?\}/.test(a));
      expect({ name, placeholders: placeholders.length > 0 }).toEqual({
        name,
        placeholders: !def.promptViaStdin,
      });
    }
  });

  it('avoid the documented traps', () => {
    // claude: stream-json in -p mode exits 1 without --verbose; no permission bypass.
    expect(argv('claude')).toEqual(expect.arrayContaining(['-p', 'stream-json', '--verbose']));
    expect(argv('claude').join(' ')).not.toMatch(/dangerously|bypassPermissions/);
    // codex: --full-auto is deprecated; `-` reads the prompt from stdin.
    expect(argv('codex')).not.toContain('--full-auto');
    expect(argv('codex').at(-1)).toBe('-');
    // gemini: --yolo together with --approval-mode is an error.
    expect(argv('gemini').includes('--yolo') && argv('gemini').includes('--approval-mode')).toBe(
      false,
    );
    // aider: --yes-always would also say yes to editing .gitignore and to analytics.
    expect(argv('aider')).toEqual(
      expect.arrayContaining(['--yes-always', '--no-gitignore', '--no-analytics']),
    );
  });
});
