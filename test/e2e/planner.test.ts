// plan "<objective>" with a planner agent: the prompt, the JSON it writes, validation, re-asking.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const AGENT = path.join(REPO_ROOT, 'test', 'fixtures', 'planner-agent.mjs');
const STREAMS = path.join(REPO_ROOT, 'test', 'fixtures', 'agent-streams');
let repo: TestRepo;
let log: string;
const ym = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--cwd', repo.dir, ...args], { env: { ...repo.env, PLANNER_LOG: log, ...env } });

function configure(mode: string, extra: Record<string, unknown> = {}) {
  repo.write(
    'yardmaster.json',
    JSON.stringify({
      agent: 'planbot',
      agents: {
        planbot: { command: [process.execPath, AGENT, mode, '{promptFile}'], timeoutSec: 30 },
      },
      ...extra,
    }),
  );
}
const calls = () =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as {
              attempt: number;
              feedback: string | null;
              promptHasObjective: boolean;
            },
        )
    : [];

beforeEach(() => {
  repo = makeRepo();
  log = path.join(repo.root, 'planner.log');
});
afterEach(() => repo.cleanup());

describe('plan with a planner agent', () => {
  it('writes the tracks the agent planned', async () => {
    configure('valid');
    const r = await ym(['plan', 'Add string utilities', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tracks.map((t: { id: string }) => t.id)).toEqual([
      'slugify',
      'truncate',
    ]);
    expect(calls()).toEqual([
      { attempt: 1, feedback: null, promptHasObjective: true, cwd: expect.any(String) },
    ]);
    expect(JSON.parse(repo.read('yardmaster/tracks/truncate/track.json')).dependsOn).toEqual([
      'slugify',
    ]);
  });

  it('re-asks with the validation errors when the first answer is invalid', async () => {
    configure('invalid-first');
    const r = await ym(['plan', 'Add string utilities', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    const c = calls();
    expect(c.map((x) => x.attempt)).toEqual([1, 2]);
    expect(c[1]?.feedback).toMatch(/not valid JSON/);
    expect(r.stderr).toMatch(/rejected/);
    expect(existsSync(path.join(repo.dir, 'yardmaster/tracks/slugify/plan.md'))).toBe(true);
  });

  it('gives up after planner.maxAttempts with exit 1 and writes nothing', async () => {
    configure('always-invalid', { planner: { maxAttempts: 2 } });
    const r = await ym(['plan', 'Add string utilities', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no valid plan in 2 attempts/);
    expect(r.stderr).toMatch(/tracks\[0\]\.id/);
    expect(calls()).toHaveLength(2);
    expect(calls()[1]?.feedback).toMatch(/tracks\[0\]\.id/);
    expect(existsSync(path.join(repo.dir, 'yardmaster/tracks'))).toBe(false);
  });

  it('counts a failing agent as a failed attempt', async () => {
    configure('exit-1', { planner: { maxAttempts: 1 } });
    const r = await ym(['plan', 'Add string utilities', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/exited with code 1/);
    expect(r.stderr).toMatch(/model overloaded/);
  });

  it('reads a fenced JSON block from stdout when no file was written', async () => {
    configure('stdout');
    const r = await ym(['plan', 'Add string utilities', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('truncate');
  });

  it('names an unknown agent and a missing binary, exit 2', async () => {
    configure('valid');
    const a = await ym(['plan', 'x', '--agent', 'cladue']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('Unknown agent "cladue" (--agent); did you mean "claude"?');
    const b = await ym(['plan', 'x', '--agent', 'claude'], { PATH: '/usr/bin:/bin' });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('program "claude" was not found');
    expect(b.stderr).toContain('npm install -g @anthropic-ai/claude-code');
  });

  it('runs a repository-defined agent only once the config is trusted', async () => {
    configure('valid');
    const r = await ym(['plan', 'Add string utilities'], { CI: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ym trust');
    expect(r.stderr).toContain(AGENT);
    expect(calls()).toHaveLength(0);
    expect((await ym(['trust'], { CI: undefined })).code).toBe(0);
    const ok = await ym(['plan', 'Add string utilities'], { CI: undefined });
    expect(ok.code, ok.stderr).toBe(0);
    // A changed config asks again.
    configure('valid', { concurrency: 2 });
    const again = await ym(['plan', 'Another objective'], { CI: undefined });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('changed since you last trusted it');
  });
});

describe('plan with an agent that prints structured output', () => {
  /**
   * Puts a fake `name` first on PATH: it reads its stdin (the prompt) to the end, keeps it in
   * $REPLAY_STDIN_FILE, and prints the stream `file` (recorded from the real CLI) as it would.
   */
  function fakeCli(name: string, file: string): Record<string, string> {
    const bin = path.join(repo.root, 'bin');
    mkdirSync(bin, { recursive: true });
    const script = path.join(bin, name);
    const replay = path.join(STREAMS, 'replay-agent.mjs');
    writeFileSync(
      script,
      `#!/bin/sh\nexec '${process.execPath}' '${replay}' '${path.join(STREAMS, file)}'\n`,
    );
    chmodSync(script, 0o755);
    return {
      PATH: `${bin}${path.delimiter}${repo.env.PATH ?? ''}`,
      REPLAY_STDIN_FILE: path.join(repo.root, `${name}.stdin`),
    };
  }
  const dependsOn = (id: string) =>
    (JSON.parse(repo.read(`yardmaster/tracks/${id}/track.json`)) as { dependsOn: string[] })
      .dependsOn;

  it.each([
    ['claude', 'claude-plan.jsonl'],
    ['codex', 'codex-plan.jsonl'],
  ])('%s: reads the plan from the ```json block of its final message (%s)', async (agent, file) => {
    repo.write('yardmaster.json', JSON.stringify({ agent }));
    const env = fakeCli(agent, file);
    const r = await ym(['plan', 'Add string utilities', '--agent', agent, '--yes', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/rejected/);
    expect(JSON.parse(r.stdout).tracks.map((t: { id: string }) => t.id)).toEqual([
      'slugify',
      'truncate',
      'string-docs',
    ]);
    expect(dependsOn('slugify')).toEqual([]);
    expect(dependsOn('truncate')).toEqual(['slugify']);
    expect(dependsOn('string-docs')).toEqual(['slugify', 'truncate']);
    expect(repo.read('yardmaster/tracks/slugify/spec.md')).toContain(
      'Turn any string into a URL slug.',
    );
    // The prompt went to the agent on stdin, as the real CLI reads it.
    expect(readFileSync(env.REPLAY_STDIN_FILE!, 'utf8')).toContain('Add string utilities');
  });

  it('says where it looked when the final message holds no plan', async () => {
    repo.write('yardmaster.json', JSON.stringify({ agent: 'claude', planner: { maxAttempts: 1 } }));
    const r = await ym(
      ['plan', 'Add string utilities', '--yes'],
      fakeCli('claude', 'claude.jsonl'),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no valid plan in 1 attempts/);
    expect(r.stderr).toMatch(
      /looked in the output file \$YM_OUTPUT_FILE \(\S+plan\.json\), which was not written/,
    );
    expect(r.stderr).toContain(
      "and in the agent's final message (the `result` of claude's stream-json result line): it holds no ```json block",
    );
    expect(r.stderr).toContain('(it begins: "Implemented slugify() with a test and committed it.');
    expect(existsSync(path.join(repo.dir, 'yardmaster/tracks'))).toBe(false);
  });
});
