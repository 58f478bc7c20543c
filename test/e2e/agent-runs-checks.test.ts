// The agent may run the checks itself (issue 16): the built-in claude is started with each
// configured check allowed (`Bash(<command>:*)`), so an agent that runs the project's checks
// sees its own failing test inside its session and fixes it there. Measured on the same track
// and agent with the rule (this build) and without it (the command line claude was started
// with before, the rule taken out on the way): attempts and tokens per track.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

const CHECK = [process.execPath, path.join(FIXTURES, 'no-bad-check.mjs')];
const CHECK_LINE = CHECK.join(' ');

async function measure(withRule: boolean) {
  project = await makeProject({ tracks: [{ id: 'a' }] });
  const p = project;
  const dir = path.join(p.repo.root, 'fake-claude');
  const bin = path.join(p.repo.root, 'bin');
  mkdirSync(path.join(dir, 'sessions'), { recursive: true });
  mkdirSync(bin, { recursive: true });
  // Without the rule: the same agent, given the command line yardmaster used before this change.
  const strip = withRule
    ? ''
    : `rule='Bash(${CHECK_LINE}:*)'\nfor a do shift; [ "$a" = "$rule" ] || set -- "$@" "$a"; done\n`;
  writeFileSync(
    path.join(bin, 'claude'),
    `#!/bin/sh\n${strip}exec '${process.execPath}' '${path.join(FIXTURES, 'fake-claude.mjs')}' "$@"\n`,
    { mode: 0o755 },
  );
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...JSON.parse(readFileSync(file, 'utf8')),
      agent: 'claude',
      attempts: 3,
      checks: [{ name: 'no-bad', run: CHECK }],
    }),
  );
  p.repo.commit('configure claude and the check');
  const env = {
    PATH: `${bin}${path.delimiter}${p.repo.env.PATH ?? ''}`,
    FAKE_CLAUDE_DIR: dir,
    FAKE_CLAUDE_RUNS_CHECKS: CHECK_LINE,
  };
  const r = await p.ym(['implement', '--no-merge', '--json'], env, 60_000);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const status = JSON.parse((await p.ym(['status', '--json'], env)).stdout) as {
    tracks: {
      id: string;
      state: string;
      attempt: number;
      usage: { inputTokens: number | null; outputTokens: number | null } | null;
    }[];
  };
  const t = status.tracks.find((x) => x.id === 'a')!;
  const calls = readFileSync(path.join(dir, 'calls.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { args: string[] });
  p.cleanup();
  project = undefined;
  return {
    state: t.state,
    attempts: t.attempt,
    inputTokens: t.usage?.inputTokens ?? null,
    outputTokens: t.usage?.outputTokens ?? null,
    calls,
  };
}

describe('the agent runs the checks itself', () => {
  it('with the check allowed the agent fixes its failing test in its first attempt; without, it takes a second', async () => {
    const after = await measure(true);
    const before = await measure(false);
    // The rule reached the agent, among the git rules, and nothing broader.
    expect(after.calls[0]!.args).toContain(`Bash(${CHECK_LINE}:*)`);
    expect(before.calls[0]!.args).not.toContain(`Bash(${CHECK_LINE}:*)`);
    expect(after.calls[0]!.args.join(' ')).not.toMatch(/bypassPermissions|dangerously/);
    expect(after).toMatchObject({ state: 'ready', attempts: 1 });
    expect(before).toMatchObject({ state: 'ready', attempts: 2 });
    expect(after.calls).toHaveLength(1);
    expect(before.calls).toHaveLength(2);
    // Tokens per track: one run of two turns against two runs of one turn each (the fake model
    // spends 1,000 input and 50 output tokens a turn); printed for the note.
    console.log(
      `agent runs the checks: attempts ${before.attempts} -> ${after.attempts}, input tokens ${before.inputTokens} -> ${after.inputTokens}, output tokens ${before.outputTokens} -> ${after.outputTokens}, agent runs ${before.calls.length} -> ${after.calls.length}`,
    );
    expect(after.inputTokens).toBe(2000);
    expect(before.inputTokens).toBe(2000);
  }, 120_000);
});
