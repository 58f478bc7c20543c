// The live status view in a real terminal (tmux): the built CLI runs `ym status` while the test
// moves tracks through their states in state.db, as `implement` would; the screen follows, keys
// open the right panes (the detail, the log, a track's diff), `a` and `x` approve and reject a
// ready track in state.db, and `q` leaves a sane terminal with exit code 0.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore, type StateStore } from '../../src/state/index.js';
import { CLI_BIN, runCli } from '../helpers/cli.js';
import { isolatedEnv, makeRepo, type TestRepo } from '../helpers/repo.js';
import { TmuxSession, shellQuote, tmuxAvailable } from '../helpers/tmux.js';

const PLAN = `objective: String utilities
tracks:
  - id: slugify
    title: Add slugify()
    spec: |
      Turn any string into a URL slug.
    phases:
      - title: Implement
        tasks: [Write failing test, Implement slugify]
  - id: truncate
    title: Add truncate()
    dependsOn: [slugify]
  - id: docs
    title: Document the module
    type: chore
    dependsOn: [slugify, truncate]
`;

let repo: TestRepo;
let tmux: TmuxSession;
let store: StateStore | undefined;

beforeEach(async () => {
  repo = makeRepo();
  repo.write('tracks.yaml', PLAN);
  for (const args of [
    ['setup', '--yes'],
    ['plan', '--from', 'tracks.yaml', '--yes'],
  ]) {
    const r = await runCli(['--cwd', repo.dir, ...args], { env: repo.env });
    expect(r.code, r.stderr).toBe(0);
  }
  repo.commit('plan');
  tmux = new TmuxSession();
});

afterEach(() => {
  tmux.kill();
  store?.close();
  store = undefined;
  repo.cleanup();
});

/** Runs `ym <args>` in the tmux pane; after it exits the pane shows EXIT:<code> and the tty modes. */
function startYm(
  args: string[],
  opts: { width?: number; height?: number; env?: Record<string, string | undefined> } = {},
) {
  const ym = ['node', CLI_BIN, '--cwd', repo.dir, ...args].map(shellQuote).join(' ');
  const after = `echo "EXIT:$?"; stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo)$' | tr '\\n' ' '; echo; sleep 60`;
  tmux.start({
    command: `${ym}; ${after}`,
    env: isolatedEnv(repo.home, {
      CI: undefined,
      CONTINUOUS_INTEGRATION: undefined,
      NO_COLOR: undefined,
      FORCE_COLOR: undefined,
      TERM: 'xterm-256color',
      ...opts.env,
    }),
    ...opts,
  });
}

const stateDir = () => path.join(repo.dir, '.git', 'yardmaster');

/**
 * Makes `id` ready as implement would leave it: its branch ym/<id> with one commit adding `file`
 * (`lines` lines) and ticking its plan, then the states up to ready. Returns the branch head.
 */
function readyTrack(id: string, file: string, lines: number): string {
  repo.git(['switch', '-q', '-c', `ym/${id}`]);
  repo.write(
    file,
    `${Array.from({ length: lines }, (_, i) => `export const ${id}${i + 1} = ${i + 1};`).join('\n')}\n`,
  );
  const planFile = `yardmaster/tracks/${id}/plan.md`;
  if (repo.exists(planFile)) repo.write(planFile, repo.read(planFile).replaceAll('- [ ]', '- [x]'));
  const head = repo.commit(`${id}: the work`);
  repo.git(['switch', '-q', 'main']);
  store ??= openStateStore(stateDir());
  for (const to of ['queued', 'provisioning', 'running', 'validating'] as const)
    store.transition(id, to, {
      patch: {
        branch: `ym/${id}`,
        worktree: path.join(repo.root, 'wt', id),
        agent: 'scripted',
        attempt: 1,
      },
    });
  store.transition(id, 'ready');
  return head;
}

/** Selects `id` in the list through the filter (`/`, its id, Enter). */
async function select(id: string): Promise<void> {
  tmux.sendKeys('/');
  await tmux.waitFor(/^\/\s/m);
  tmux.sendKeys(id);
  tmux.sendKeys('Enter');
  await tmux.waitFor(new RegExp(`^› ${id} `, 'm'));
}

describe.skipIf(!tmuxAvailable())('ym status in a real terminal (tmux)', () => {
  it('follows state changes live, opens the detail and the log, and quits cleanly', async () => {
    startYm(['status']);
    await tmux.waitFor(/TRACKS by state[\s\S]*slugify[\s\S]*truncate[\s\S]*docs/);
    expect(tmux.display('#{alternate_on}')).toBe('1');

    // implement, simulated: the track moves through its states in another connection.
    store = openStateStore(stateDir());
    store.transition('slugify', 'queued');
    await tmux.waitFor(/slugify\s+… queued/);
    store.transition('slugify', 'provisioning');
    await tmux.waitFor(/slugify\s+\+ provisioning/);
    const log = path.join(stateDir(), 'logs', 'slugify', '1.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, 'agent: reading the spec\n');
    store.transition('slugify', 'running', {
      patch: {
        branch: 'ym/slugify',
        worktree: path.join(repo.root, 'wt', 'slugify'),
        agent: 'scripted',
        attempt: 1,
      },
    });
    store.startRun({
      trackId: 'slugify',
      attempt: 1,
      agent: 'scripted',
      logPath: log,
      pid: process.pid,
      host: 'test',
    });
    let screen = await tmux.waitFor(/slugify\s+> running\s+.*1\/3\s+scripted/);
    expect(screen).toMatch(/> running \(1\)[\s\S]*· planned \(2\)/);
    expect(screen).toMatch(/3 tracks\s+> 1 running\s+· 2 planned/);
    fs.appendFileSync(log, 'agent: editing src/slugify.js\n');
    await tmux.waitFor(/slugify .*· agent: edit/);

    // j moves the selection, Enter opens the detail, l the log, Esc goes back.
    expect(screen).toMatch(/^› slugify/m);
    tmux.sendKeys('j');
    await tmux.waitFor(/^› truncate/m);
    tmux.sendKeys('k');
    await tmux.waitFor(/^› slugify/m);
    tmux.sendKeys('Enter');
    screen = await tmux.waitFor(/slugify — Add slugify\(\)/);
    await tmux.waitFor(
      /Turn any string into a URL slug\.[\s\S]*PLAN 0\/2[\s\S]*\[ \] 1\.1 Write failing test[\s\S]*LOG .*1\.log · following[\s\S]*agent: editing src\/slugify\.js/,
    );
    tmux.sendKeys('l');
    await tmux.waitFor(/LOG slugify · .*1\.log · following/);
    fs.appendFileSync(log, 'agent: tests pass\n');
    await tmux.waitFor(/agent: tests pass/);
    tmux.sendKeys('Escape');
    await tmux.waitFor(
      (s) => s.includes('slugify — Add slugify()') && !s.includes('LOG slugify ·'),
      5000,
      'the detail again',
    );
    tmux.sendKeys('Escape');
    await tmux.waitFor(/TRACKS by state/);

    // A state change while the list is open moves the track between groups.
    store.transition('slugify', 'validating');
    await tmux.waitFor(/\? validating \(1\)[\s\S]*slugify\s+\? validating/);

    tmux.sendKeys('q');
    screen = await tmux.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:0');
    expect(screen).not.toContain('TRACKS by state'); // the alternate screen was left
    expect(tmux.display('#{alternate_on}')).toBe('0');
    expect(tmux.display('#{cursor_flag}')).toBe('1');
    await tmux.waitFor(/icanon/);
    expect(tmux.capture()).toMatch(/(^|\s)icanon\s+echo|(^|\s)echo\s+icanon/); // cooked mode restored, not -icanon
  });

  it('d shows the diff of the selected track and scrolls it; a approves it; x asks for a reason and sends the track back', async () => {
    const config = JSON.parse(repo.read('yardmaster.json')) as Record<string, unknown>;
    repo.write(
      'yardmaster.json',
      `${JSON.stringify({ ...config, merge: { ...(config.merge as object), requireApproval: true } }, null, 2)}\n`,
    );
    repo.commit('merge.requireApproval');
    const slugifyHead = readyTrack('slugify', 'src/slugify.js', 80);
    readyTrack('truncate', 'src/truncate.js', 3);
    startYm(['status']);
    await tmux.waitFor(/= ready \(2\)[\s\S]*slugify\s+= ready[\s\S]*truncate\s+= ready/);

    // d: the diff against main, files with counts, the unified diff in colour.
    await select('slugify');
    tmux.sendKeys('d');
    let screen = await tmux.waitFor(
      /DIFF slugify · ym\/slugify [0-9a-f]{12} against main [0-9a-f]{12} \(merge-base [0-9a-f]{12}\) · 2 files \+82 -2/,
    );
    screen = await tmux.waitFor(/A src\/slugify\.js +\+80 -0[\s\S]*\+export const slugify1 = 1;/);
    expect(screen).toMatch(/M yardmaster\/tracks\/slugify\/plan\.md +\+2 -2/);
    expect(screen).toMatch(/^@@ -0,0 \+1,80 @@/m);
    expect(screen).toMatch(/^lines 1-35 of 102 /m);
    expect(screen).not.toContain('slugify80 = 80');
    expect(tmux.capture(true)).toMatch(/\u001b\[(?:[\d;]*;)?32m\+export const slugify1 = 1;/);
    // Scrolling: a line, to the end, to the top, a page.
    tmux.sendKeys('j');
    await tmux.waitFor(/^lines 2-36 of 102 /m);
    tmux.sendKeys('G');
    screen = await tmux.waitFor(/^lines \d+-(\d+) of \1 \(end\)/m);
    expect(screen).toContain('+export const slugify80 = 80;');
    expect(screen).not.toContain('Files: 2 changed');
    tmux.sendKeys('g');
    await tmux.waitFor(/^lines 1-35 of 102 /m);
    tmux.sendKeys('Space');
    await tmux.waitFor(/^lines 35-69 of 102 /m);
    // q closes the diff (it does not quit), back to the list.
    tmux.sendKeys('q');
    screen = await tmux.waitFor(/TRACKS by state/);
    expect(screen).not.toContain('DIFF slugify');
    expect(screen).not.toContain('EXIT:');

    // a: approves slugify's head, as `ym approve` does.
    tmux.sendKeys('a');
    await tmux.waitFor(
      new RegExp(
        `approved slugify at ${slugifyHead.slice(0, 12)} \\(by Yardmaster Test <test@yardmaster\\.invalid>\\)`,
      ),
    );
    const approved = store!
      .listEvents({ trackId: 'slugify' })
      .filter((e) => e.type === 'track.approved');
    expect(approved.map((e) => e.data)).toEqual([
      { sha: slugifyHead, by: { name: 'Yardmaster Test', email: 'test@yardmaster.invalid' } },
    ]);
    const dry = await runCli(['--cwd', repo.dir, 'merge', '--dry-run', '--json'], {
      env: repo.env,
    });
    expect(dry.code, dry.stderr).toBe(0);
    const order = (
      JSON.parse(dry.stdout) as { order: { id: string; awaitingApproval: string | null }[] }
    ).order;
    expect(order.find((o) => o.id === 'slugify')?.awaitingApproval).toBeNull();
    expect(order.find((o) => o.id === 'truncate')?.awaitingApproval).toMatch(/^awaiting approval/);

    // x: asks for the reason in the footer; Enter sends truncate back to its agent with it.
    tmux.sendKeys('Escape'); // clears the filter
    await tmux.waitFor((s) => !s.includes('filter "slugify"'), 5000, 'the filter cleared');
    await select('truncate');
    tmux.sendKeys('x');
    await tmux.waitFor(/^Reject truncate — what should its agent change\?/m);
    tmux.sendKeys('use the existing helper');
    await tmux.waitFor(/what should its agent change\? use the existing helper/);
    tmux.sendKeys('Enter');
    await tmux.waitFor(/Rejected truncate at [0-9a-f]{12}: back to its agent as attempt 2 of 3\./);
    await tmux.waitFor(/truncate\s+… queued/);
    const status = await runCli(['--cwd', repo.dir, 'status', '--json'], { env: repo.env });
    const truncate = (
      JSON.parse(status.stdout) as {
        tracks: { id: string; state: string; attempt: number; reason: string | null }[];
      }
    ).tracks.find((t) => t.id === 'truncate');
    expect(truncate).toMatchObject({
      state: 'queued',
      attempt: 2,
      reason: 'rejected: use the existing helper',
    });
    const events = store!.listEvents({ trackId: 'truncate' });
    expect(events.find((e) => e.type === 'track.rejected')?.data).toMatchObject({
      reason: 'use the existing helper',
    });
    expect(
      (events.filter((e) => e.type === 'track.feedback').at(-1)?.data as { text: string }).text,
    ).toContain('use the existing helper');

    tmux.sendKeys('q');
    expect(await tmux.waitFor(/EXIT:\d+/)).toContain('EXIT:0');
  });

  it('status ID opens on the track; o prints its worktree path after leaving the view', async () => {
    store = openStateStore(stateDir());
    const worktree = path.join(repo.root, 'wt', 'truncate');
    for (const to of ['queued', 'provisioning'] as const) store.transition('truncate', to);
    store.transition('truncate', 'running', {
      patch: { worktree, branch: 'ym/truncate', agent: 'scripted', attempt: 1 },
    });
    startYm(['status', 'truncate']);
    await tmux.waitFor(/truncate — Add truncate\(\)[\s\S]*worktree /);
    tmux.sendKeys('o');
    const screen = await tmux.waitFor(/EXIT:\d+/);
    expect(screen).toContain(`${worktree}\nEXIT:0`);
  });

  it('NO_COLOR: no colour on the real screen, the symbols stay; the diff neither', async () => {
    readyTrack('slugify', 'src/slugify.js', 5);
    startYm(['status'], { env: { NO_COLOR: '1' } });
    await tmux.waitFor(/TRACKS by state/);
    const raw = tmux.capture(true);
    expect(raw).toContain('· planned');
    const colour = /\u001b\[(?:[\d;]*;)?(?:3[0-7]|9[0-7]|38;[25];[\d;]+)m/;
    expect(raw).not.toMatch(colour);
    await select('slugify');
    tmux.sendKeys('d');
    await tmux.waitFor(/\+export const slugify5 = 5;/);
    expect(tmux.capture(true)).not.toMatch(colour);
    tmux.sendKeys('d');
    await tmux.waitFor(/TRACKS by state/);
    tmux.sendKeys('q');
    await tmux.waitFor(/EXIT:0/);
  });

  it('resizes with the terminal, degrading to the plain table below 60x12 and back', async () => {
    startYm(['status']);
    await tmux.waitFor(/TRACKS by state/);
    tmux.resize(70, 20);
    let screen = await tmux.waitFor(
      (s) => s.split('\n').some((l) => l.startsWith('↑↓/jk move')) && !s.includes('MARKS'),
      5000,
      'the 70x20 layout',
    );
    for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(70);
    tmux.resize(50, 11);
    await tmux.waitFor(/the live view needs 60x12/);
    tmux.resize(120, 40);
    screen = await tmux.waitFor(/TRACKS by state[\s\S]*MARKS/);
    expect(screen).not.toContain('the live view needs');
    tmux.sendKeys('q');
    await tmux.waitFor(/EXIT:0/);
  });

  it('a terminal smaller than 60x12 gets the plain table', async () => {
    startYm(['status'], { width: 50, height: 11 });
    const screen = await tmux.waitFor(/EXIT:\d+/);
    expect(screen).toContain('EXIT:0');
    expect(screen).toMatch(/TRACK\s+STATE/);
    expect(screen).not.toContain('TRACKS by state');
  });
});

describe('what status loads', () => {
  it('--json and --version never load ink or react; the plain table neither', async () => {
    const log = path.join(repo.root, 'imports.log');
    const hook = path.join(path.dirname(CLI_BIN), '..', 'test', 'fixtures', 'log-imports.mjs');
    const env = { YM_TEST_IMPORT_LOG: log, NODE_OPTIONS: `--import ${hook}` };
    for (const args of [['status', '--json'], ['status'], ['--version']]) {
      fs.rmSync(log, { force: true });
      const r = await runCli(args[0] === '--version' ? args : ['--cwd', repo.dir, ...args], {
        env: { ...repo.env, ...env },
      });
      expect(r.code, r.stderr).toBe(0);
      const loaded = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      if (args[0] !== '--version') expect(loaded).toMatch(/dist\/chunks\/status-/); // the log works
      expect(loaded).not.toMatch(/\/(ink|react|yoga-layout)\//);
      expect(loaded).not.toMatch(/chunks\/live-/);
    }
  });
});
