import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  askAnswers,
  detectStack,
  detectTestCommand,
  type SetupAnswers,
} from '../../src/setup/answers.js';
import { buildTrackDocs } from '../../src/tracks/build.js';
import { systemClock } from '../../src/context.js';
import { renderConfig, templateVars } from '../../src/setup/setup.js';
import { parseConfigText } from '../../src/config/load.js';
import { allTasks, parsePlan } from '../../src/core/plan-md.js';
import { InterruptedError, UsageError } from '../../src/core/errors.js';
import { makeTempDir, type TempDir } from '../helpers/repo.js';

const DEFAULTS: SetupAnswers = {
  name: 'shop',
  description: '',
  stack: 'TypeScript, Node.js',
  testCommand: 'npm test',
  target: 'main',
  agent: 'claude',
};
const checkTarget = async (b: string) =>
  b.includes('..') ? `"${b}" is not a valid branch name` : null;

function io(input: string) {
  const stream = new PassThrough();
  stream.end(input);
  let output = '';
  return { input: stream, output: { write: (s: string) => (output += s) }, written: () => output };
}

describe('askAnswers', () => {
  it('keeps defaults on Enter, takes answers, re-asks an invalid one', async () => {
    const t = io('\nSells things.\n\nnone\nbad..name\nrelease\ncodex\n');
    const answers = await askAnswers(DEFAULTS, t, checkTarget);
    expect(answers).toEqual({
      name: 'shop',
      description: 'Sells things.',
      stack: 'TypeScript, Node.js',
      testCommand: '',
      target: 'release',
      agent: 'codex',
    });
    expect(t.written()).toContain('Project name [shop]: ');
    expect(t.written()).toContain('"bad..name" is not a valid branch name; try again.');
  });

  it('uses the defaults for every question left at end of input', async () => {
    const t = io('other\n');
    expect(await askAnswers(DEFAULTS, t, checkTarget)).toEqual({ ...DEFAULTS, name: 'other' });
  });

  it('refuses an unknown agent at end of input instead of looping', async () => {
    const t = io('\n\n\n\n\nnot-an-agent\n');
    await expect(askAnswers(DEFAULTS, t, checkTarget)).rejects.toThrow(UsageError);
  });

  it('stops with InterruptedError when the signal aborts', async () => {
    const input = new PassThrough(); // never ends: the question waits
    const ac = new AbortController();
    const pending = askAnswers(
      DEFAULTS,
      { input, output: { write: () => true }, signal: ac.signal },
      checkTarget,
    );
    ac.abort();
    await expect(pending).rejects.toThrow(InterruptedError);
  });
});

describe('detection', () => {
  let tmp: TempDir;
  afterEach(() => tmp.cleanup());

  it('finds the test command from the project files', () => {
    tmp = makeTempDir();
    expect(detectTestCommand(tmp.dir, null)).toBe('');
    expect(
      detectTestCommand(tmp.dir, {
        scripts: { test: 'echo "Error: no test specified" && exit 1' },
      }),
    ).toBe('');
    expect(detectTestCommand(tmp.dir, { scripts: { test: 'vitest run' } })).toBe('npm test');
    tmp.write('pnpm-lock.yaml', '');
    expect(detectTestCommand(tmp.dir, { scripts: { test: 'vitest run' } })).toBe('pnpm test');
    tmp.write('go.mod', 'module x\n');
    expect(detectTestCommand(tmp.dir, null)).toBe('go test ./...');
  });

  it('lists languages and well-known frameworks', () => {
    tmp = makeTempDir();
    tmp.write('tsconfig.json', '{}');
    tmp.write('pyproject.toml', '');
    expect(detectStack(tmp.dir, { dependencies: { react: '19' } })).toEqual([
      'TypeScript',
      'Node.js',
      'React',
      'Python',
    ]);
    expect(detectStack(tmp.dir, null)).toEqual(['Python']);
  });
});

describe('rendering', () => {
  it('renders a config that the schema accepts', () => {
    const config = parseConfigText(renderConfig(DEFAULTS), 'yardmaster.json');
    expect(config.checks).toEqual([{ name: 'test', run: 'npm test', timeoutSec: 600 }]);
    expect(parseConfigText(renderConfig({ ...DEFAULTS, testCommand: '' }), 'x').checks).toEqual([]);
  });

  it('fills every template variable', () => {
    const vars = templateVars(DEFAULTS);
    expect(vars.stack).toBe('- TypeScript\n- Node.js');
    expect(vars.description).toMatch(/^_Describe shop/);
    expect(templateVars({ ...DEFAULTS, testCommand: '' }).checks).toMatch(/none configured yet/);
  });

  // templates/track/*.md, through the lead's buildTrackDocs (src/tracks/build.ts).
  const build = (spec?: string) =>
    buildTrackDocs(
      { id: 'oauth', title: 'Add OAuth login', type: 'feature', dependsOn: [], spec },
      systemClock,
    );

  it('renders the default plan of a new track, parseable with the expected tasks', () => {
    const text = build().plan;
    expect(text.startsWith('# Plan: Add OAuth login\n')).toBe(true);
    expect(text.endsWith('2.1 Run the checks and fix failures\n')).toBe(true);
    const plan = parsePlan(text);
    expect(plan.title).toBe('Add OAuth login');
    expect(plan.phases.map((p) => p.title)).toEqual(['Implement', 'Verify']);
    expect(allTasks(plan).map((t) => `${t.id} ${t.text} ${t.marker}`)).toEqual([
      '1.1 Write failing tests pending',
      '1.2 Implement pending',
      '2.1 Run the checks and fix failures pending',
    ]);
  });

  it('renders spec.md with the user text or the skeleton', () => {
    const own = build('Use PKCE.\n\n').spec;
    expect(own).toMatch(/^# Spec: Add OAuth login\n/);
    expect(own).toContain('Track `oauth` · type: feature');
    expect(own.endsWith('\nUse PKCE.\n')).toBe(true);
    const skeleton = build().spec;
    for (const h of [
      '## Overview',
      '## Requirements',
      '## Acceptance criteria',
      '## Out of scope',
    ]) {
      expect(skeleton).toContain(h);
    }
    expect(skeleton).not.toContain('{{');
  });
});
