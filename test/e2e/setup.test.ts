// `ym setup` end to end: the built CLI in temporary git repositories.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeRepo, makeTempDir, type TempDir, type TestRepo } from '../helpers/repo.js';

const FILES = [
  'yardmaster.json',
  'yardmaster/product.md',
  'yardmaster/tech-stack.md',
  'yardmaster/workflow.md',
  'yardmaster/product-guidelines.md',
];

let dirs: TempDir[] = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});
function repo(opts?: Parameters<typeof makeRepo>[0]): TestRepo {
  const r = makeRepo(opts);
  dirs.push(r);
  return r;
}
const snapshot = (r: TempDir) =>
  Object.fromEntries(FILES.map((f) => [f, r.exists(f) ? r.read(f) : null]));

describe('ym setup', () => {
  it('writes yardmaster.json and the four context documents from the templates', async () => {
    const r = repo({
      branch: 'trunk',
      files: {
        'package.json':
          '{"name":"shop","description":"Sells things.","scripts":{"test":"vitest run"}}\n',
      },
    });
    const res = await runCli(['setup', '--yes', '--cwd', r.dir]);
    expect(res.stderr).not.toMatch(/error/);
    expect(res.code).toBe(0);
    for (const f of FILES) expect(r.exists(f), f).toBe(true);
    expect(JSON.parse(r.read('yardmaster.json'))).toEqual({
      target: 'trunk',
      agent: 'claude',
      checks: [{ name: 'test', run: 'npm test' }],
    });
    for (const f of FILES) expect(r.read(f), f).not.toMatch(/\{\{/);
    expect(r.read('yardmaster/product.md')).toContain('# Product: shop\n\nSells things.');
    expect(r.read('yardmaster/workflow.md')).toContain('`trunk`');
    expect(r.read('yardmaster/workflow.md')).toContain('`npm test`');
    expect(res.stdout).toContain('yardmaster/workflow.md');
    expect(res.stderr).toContain('ym new-track');

    const check = await runCli(['config', 'check', '--cwd', r.dir]);
    if (/unknown command|not available/i.test(check.stderr)) return;
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('writes no checks when there is no test script, and prints JSON with --json', async () => {
    const r = repo({
      initialCommit: false,
      files: {
        'package.json': '{"scripts":{"test":"echo \\"Error: no test specified\\" && exit 1"}}',
      },
    });
    const res = await runCli(['setup', '--yes', '--json', '--cwd', r.dir]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ written: FILES, skipped: [] });
    expect(JSON.parse(r.read('yardmaster.json'))).toEqual({
      target: 'main',
      agent: 'claude',
      checks: [],
    });
  });

  it('refuses to overwrite without --force, naming the files, and overwrites with it', async () => {
    const r = repo();
    expect((await runCli(['setup', '--yes', '--cwd', r.dir])).code).toBe(0);
    r.write('yardmaster/product.md', 'mine\n');
    const before = snapshot(r);
    const again = await runCli(['setup', '--yes', '--cwd', r.dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already set up.*yardmaster\.json.*yardmaster\/product\.md/);
    expect(again.stderr).toContain('--force');
    expect(snapshot(r)).toEqual(before);

    const forced = await runCli(['setup', '--yes', '--force', '--cwd', r.dir]);
    expect(forced.code).toBe(0);
    expect(r.read('yardmaster/product.md')).toContain('# Product: repo');
  });

  it('refuses when only one of its files exists', async () => {
    const r = repo();
    r.write('yardmaster.json', '{}\n');
    const res = await runCli(['setup', '--yes', '--cwd', r.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/yardmaster\.json exists/);
    expect(r.exists('yardmaster')).toBe(false);
  });

  it('exits 2 outside a git repository and in a bare one', async () => {
    const plain = makeTempDir();
    dirs.push(plain);
    const res = await runCli(['setup', '--yes', '--cwd', plain.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`Not a git repository: ${plain.dir}`);
    expect(readdirSync(plain.dir)).toEqual([]);

    const bare = repo({ bare: true });
    const res2 = await runCli(['setup', '--yes', '--cwd', bare.dir]);
    expect(res2.code).toBe(2);
    expect(res2.stderr).toMatch(/bare repository/);
    expect(bare.exists('yardmaster.json')).toBe(false);
  });

  it('--ci refuses before anything is written when the workflow exists', async () => {
    const r = repo();
    r.write('.github/workflows/yardmaster.yml', 'mine\n');
    const res = await runCli(['setup', '--yes', '--ci', 'github', '--cwd', r.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('.github/workflows/yardmaster.yml already exists');
    expect(snapshot(r)).toEqual(Object.fromEntries(FILES.map((f) => [f, null])));
    expect(r.read('.github/workflows/yardmaster.yml')).toBe('mine\n');
  });
});

// A Conductor project as the Gemini CLI extension or the Claude Code plugin leaves it.
const DARK_PLAN = `# Implementation Plan: Dark mode

## Phase 1: Theme tokens [checkpoint: 1a2b3c4]
- [x] Task: Write tests for the theme tokens [1a2b3c4]
    - [x] Cover light and dark palettes
- [x] Task: Implement the tokens [5d6e7f8]
- [x] Task: Conductor - User Manual Verification 'Theme tokens' (Protocol in workflow.md)

## Phase 2: Toggle
- [~] Task: Add the toggle to the settings page
    - [ ] Persist the choice
- [ ] Task: Conductor - User Manual Verification 'Toggle' (Protocol in workflow.md)
`;
const LOGIN_PLAN =
  '# Plan\r\n\r\n## Phase 1: Reproduce\r\n- [ ] Task: Write a failing test for the redirect loop\r\n- [ ] Task: Fix it\r\n';

function conductorFixture(r: TestRepo, variant: 'gemini' | 'claude', badPlan = false): void {
  r.write('conductor/product.md', '# Product\n\nA shop that sells things.\n');
  r.write('conductor/tech-stack.md', '# Tech Stack\n\n- TypeScript\n');
  r.write('conductor/workflow.md', '# Workflow\n\nConductor workflow rules.\n');
  r.write('conductor/code_styleguides/typescript.md', '# TS style\n');
  r.write(
    'conductor/tracks.md',
    variant === 'gemini'
      ? `# Project Tracks\n\n---\n\n- [~] **Track: Add dark mode**\n*Link: [./conductor/tracks/dark-mode_20251207/](./conductor/tracks/dark-mode_20251207/)*\n\n---\n\n- [ ] **Track: Fix login redirect loop**\n*Link: [./conductor/tracks/Login_Loop_20251208/](./conductor/tracks/Login_Loop_20251208/)*\n\n---\n\n- [x] **Track: Old work**\n*Link: [./conductor/tracks/old-work_20250101/](./conductor/tracks/old-work_20250101/)*\n`
      : `# Tracks Registry\n\n## [~] Track: Add dark mode\n*ID: dark-mode_20251207*\n*Link: [spec](conductor/tracks/dark-mode_20251207/spec.md)*\n\n## [ ] Track: Fix login redirect loop\n*Link: [./tracks/Login_Loop_20251208/](./tracks/Login_Loop_20251208/)*\n\n## [x] Track: Old work\n*Link: [./tracks/old-work_20250101/](./tracks/old-work_20250101/)*\n`,
  );
  const t = 'conductor/tracks';
  r.write(
    `${t}/dark-mode_20251207/spec.md`,
    '# Specification: Dark mode\n\n## Overview\nDark theme.\n',
  );
  r.write(`${t}/dark-mode_20251207/plan.md`, DARK_PLAN);
  r.write(
    `${t}/dark-mode_20251207/metadata.json`,
    JSON.stringify(
      {
        track_id: 'dark-mode_20251207',
        type: 'feature',
        status: 'in_progress',
        created_at: '2025-12-07T09:30:00Z',
        updated_at: '2025-12-08T10:00:00Z',
        description: 'Add dark mode',
      },
      null,
      2,
    ),
  );
  // No description in metadata (the title comes from tracks.md) and no spec.md (the skeleton is used).
  r.write(
    `${t}/Login_Loop_20251208/plan.md`,
    badPlan ? LOGIN_PLAN.replace('- [ ] Task: Fix it', '- [o] Task: Fix it') : LOGIN_PLAN,
  );
  r.write(
    `${t}/Login_Loop_20251208/metadata.json`,
    '{"track_id":"Login_Loop_20251208","type":"bugfix","status":"new"}',
  );
  r.write(`${t}/old-work_20250101/plan.md`, '## Phase 1: Done\n- [x] Task: All of it [abcdef0]\n');
  r.write(
    `${t}/old-work_20250101/metadata.json`,
    '{"status":"completed","type":"chore","description":"Old work"}',
  );
  r.write('conductor/archive/ancient_20240101/plan.md', '- [x] Task: x\n');
  r.commit('conductor project');
}

describe('ym setup --from-conductor', () => {
  it.each(['gemini', 'claude'] as const)('imports a %s Conductor project', async (variant) => {
    const r = repo();
    conductorFixture(r, variant);
    const res = await runCli(['setup', '--from-conductor', '--yes', '--json', '--cwd', r.dir]);
    expect(res.stderr).not.toMatch(/error/);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      written: string[];
      skipped: string[];
      tracks: unknown[];
    };
    expect(out.tracks).toEqual([
      {
        id: 'dark-mode-20251207',
        title: 'Add dark mode',
        type: 'feature',
        source: 'conductor:dark-mode_20251207',
      },
      {
        id: 'login-loop-20251208',
        title: 'Fix login redirect loop',
        type: 'bug',
        source: 'conductor:Login_Loop_20251208',
      },
    ]);
    expect(out.written).toEqual([
      ...FILES,
      'yardmaster/tracks/dark-mode-20251207/',
      'yardmaster/tracks/login-loop-20251208/',
    ]);
    expect(out.skipped).toEqual([
      'conductor/tracks/old-work_20250101/: completed in Conductor',
      'conductor/archive/: 1 archived track, not imported',
      'conductor/code_styleguides/: not imported',
    ]);

    const dark = 'yardmaster/tracks/dark-mode-20251207';
    expect(r.read(`${dark}/plan.md`)).toBe(DARK_PLAN);
    expect(r.read('yardmaster/tracks/login-loop-20251208/plan.md')).toBe(LOGIN_PLAN);
    expect(r.read(`${dark}/spec.md`)).toBe(
      '# Specification: Dark mode\n\n## Overview\nDark theme.\n',
    );
    expect(JSON.parse(r.read(`${dark}/track.json`))).toEqual({
      id: 'dark-mode-20251207',
      title: 'Add dark mode',
      type: 'feature',
      dependsOn: [],
      createdAt: '2025-12-07T09:30:00.000Z',
      source: 'conductor:dark-mode_20251207',
    });
    const loginSpec = r.read('yardmaster/tracks/login-loop-20251208/spec.md');
    expect(loginSpec).toMatch(/^# Spec: Fix login redirect loop\n/);
    expect(loginSpec).toContain('## Acceptance criteria');
    expect(r.exists('yardmaster/tracks/old-work-20250101')).toBe(false);
    // Context documents: copied when Conductor has them, from the template otherwise.
    expect(r.read('yardmaster/product.md')).toBe('# Product\n\nA shop that sells things.\n');
    expect(r.read('yardmaster/workflow.md')).toBe('# Workflow\n\nConductor workflow rules.\n');
    expect(r.read('yardmaster/product-guidelines.md')).toContain('# Product guidelines: repo');
    expect(r.exists('.git/yardmaster/state.db')).toBe(true);

    // A second import with --force keeps the tracks and imports nothing twice.
    const again = await runCli(['setup', '--from-conductor', '--yes', '--force', '--cwd', r.dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Imported no Conductor tracks.');
    expect(again.stdout).toContain('already imported as track "dark-mode-20251207"');
    expect(readdirSync(path.join(r.dir, 'yardmaster/tracks')).sort()).toEqual([
      'dark-mode-20251207',
      'login-loop-20251208',
    ]);
  });

  it('prints a readable summary without --json', async () => {
    const r = repo();
    conductorFixture(r, 'gemini');
    const res = await runCli(['setup', '--from-conductor', '--yes', '--cwd', r.dir]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Imported 2 Conductor tracks:');
    expect(res.stdout).toMatch(
      /dark-mode-20251207 +Add dark mode {2}\(from conductor\/tracks\/dark-mode_20251207\)/,
    );
    expect(res.stdout).toContain('conductor/archive/: 1 archived track, not imported');
  });

  it('stops on a bad plan marker with file:line, writing nothing', async () => {
    const r = repo();
    conductorFixture(r, 'gemini', true);
    const res = await runCli(['setup', '--from-conductor', '--yes', '--cwd', r.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'conductor/tracks/Login_Loop_20251208/plan.md:5: unknown task marker "[o]"',
    );
    expect(r.exists('yardmaster')).toBe(false);
    expect(r.exists('yardmaster.json')).toBe(false);
  });

  it('exits 2 when there is no conductor/ directory', async () => {
    const r = repo();
    const res = await runCli(['setup', '--from-conductor', '--yes', '--cwd', r.dir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/No Conductor project here/);
    expect(r.exists('yardmaster.json')).toBe(false);
  });
});
