// The diff pane (`d`) against a real repository and state.db: the status source reads what
// `ym review` reads (the merge-base diff against the target's current head, or, for a merged
// track, what landed from its merge record), the pane shows the same text as `ym review`, and the
// live container opens it with `d` through ink-testing-library.
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createContext } from '../../src/cli/runner.js';
import { openStateStore, type StateStore } from '../../src/state/index.js';
import { LiveStatus } from '../../src/tui/live.js';
import { openStatusSource, type StatusSource } from '../../src/tui/status-source.js';
import { diffPane, expandTabs } from '../../src/tui/track-diff.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

const PLAN = `tracks:
  - id: slugify
    title: Add slugify()
  - id: docs
    title: Document it
`;

let repo: TestRepo;
let other: StateStore;
let source: StatusSource;
let cleanups: (() => void | Promise<void>)[];
let app: ReturnType<typeof render> | undefined;
const stateDir = () => path.join(repo.dir, '.git', 'yardmaster');
const sha = (rev: string) => repo.git(['rev-parse', rev]).trim();

beforeEach(async () => {
  repo = makeRepo();
  repo.write('plan.yaml', PLAN);
  for (const args of [
    ['setup', '--yes'],
    ['plan', '--from', 'plan.yaml', '--yes'],
  ]) {
    const r = await runCli(['--cwd', repo.dir, ...args], { env: repo.env });
    expect(r.code, r.stderr).toBe(0);
  }
  repo.commit('tracks');
  const made = createContext(
    { cwd: repo.dir, json: false, debug: false, yes: false },
    {
      env: repo.env,
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdinIsTTY: false,
    },
    new AbortController().signal,
  );
  cleanups = made.cleanups;
  source = await openStatusSource(made.ctx);
  other = openStateStore(stateDir());
});

afterEach(async () => {
  app?.unmount();
  app = undefined;
  other.close();
  for (const fn of cleanups.reverse()) await fn();
  repo.cleanup();
});

/**
 * slugify's branch adds src/slugify.js (40 lines, one with a tab) and a check to yardmaster.json;
 * after it started, main gained README.md, which its diff must not show. The track is ready.
 */
function readySlugify(): void {
  repo.git(['switch', '-q', '-c', 'ym/slugify']);
  const body = Array.from({ length: 40 }, (_, i) => `  const part${i + 1} = ${i + 1};`);
  repo.write(
    'src/slugify.js',
    ['export function slugify(s) {', '\treturn s;', ...body, '}', ''].join('\n'),
  );
  const config = JSON.parse(repo.read('yardmaster.json')) as { checks?: unknown[] };
  config.checks = [...(config.checks ?? []), { name: 'sneaky', run: ['sh', '-c', 'touch /tmp/x'] }];
  repo.write('yardmaster.json', `${JSON.stringify(config, null, 2)}\n`);
  repo.commit('slugify');
  repo.git(['switch', '-q', 'main']);
  repo.write('README.md', 'main moved on\n');
  repo.commit('main moves on');
  for (const to of ['queued', 'provisioning', 'running', 'validating'] as const)
    other.transition('slugify', to, {
      patch: { branch: 'ym/slugify', worktree: '/wt/slugify', agent: 'scripted', attempt: 1 },
    });
  other.transition('slugify', 'ready');
}

describe('the diff of a ready track', () => {
  it('is the merge-base diff against the target, command-bearing part first, as ym review prints it', async () => {
    readySlugify();
    const review = await source.loadDiff('slugify');
    expect(review.doc.range).toBe('merge-base');
    const pane = diffPane(review, false);
    const short = (rev: string) => sha(rev).slice(0, 12);
    expect(pane.title).toBe(
      `DIFF slugify · ym/slugify ${short('ym/slugify')} against main ${short('main')} (merge-base ${short('main~1')}) · 2 files +${review.doc.totals.added} -${review.doc.totals.deleted}`,
    );
    expect(pane.lines.slice(0, 3)).toEqual([
      '⚠ changes what yardmaster runs:',
      expect.stringMatching(/^ {2}yardmaster\.json: checks\[\d+\]/),
      '',
    ]);
    expect(pane.lines).toContain(
      'Files: 2 changed, +' + review.doc.totals.added + ' -' + review.doc.totals.deleted,
    );
    expect(pane.lines).toContainEqual(expect.stringMatching(/^ {4}A src\/slugify\.js +\+43 -0$/));
    // In the diff, yardmaster.json comes first, under its mark, then src/slugify.js.
    const mark = pane.lines.findIndex((l) =>
      l.startsWith('⚠ changes what yardmaster runs: checks'),
    );
    const config = pane.lines.indexOf('diff --git a/yardmaster.json b/yardmaster.json');
    const slugify = pane.lines.indexOf('diff --git a/src/slugify.js b/src/slugify.js');
    expect(mark).toBeGreaterThan(0);
    expect(config).toBe(mark + 1);
    expect(slugify).toBeGreaterThan(config);
    expect(pane.lines).toContain('+  const part40 = 40;');
    expect(pane.lines).toContain('+       return s;'); // the tab, to the next stop (8)
    expect(pane.lines.join('\n')).not.toContain('README');

    // The same text as `ym review` (piped: no colour, no pager), tabs aside.
    const r = await runCli(['--cwd', repo.dir, 'review', 'slugify'], {
      env: { ...repo.env, NO_COLOR: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    const printed = r.stdout
      .split('\n')
      .map((l) => expandTabs(l))
      .join('\n');
    const filesAt = pane.lines.findIndex((l) => l.startsWith('Files: '));
    expect(printed).toContain(pane.lines.slice(0, filesAt + 3).join('\n'));
    expect(printed).toContain(pane.lines.slice(mark).join('\n'));
  });

  it('opens with d in the live view, scrolls and closes', async () => {
    readySlugify();
    const first = await source.load();
    app = render(
      <LiveStatus
        source={source}
        initialView={first}
        color={false}
        onExit={() => undefined}
        size={{ columns: 110, rows: 24 }}
        pollMs={20}
      />,
    );
    const frame = () => app!.lastFrame() ?? '';
    await vi.waitFor(() => expect(frame()).toMatch(/^› slugify /m));
    await new Promise((resolve) => setTimeout(resolve, 50)); // ink listens once its effects ran
    app.stdin.write('d');
    await vi.waitFor(() => expect(frame()).toContain('DIFF slugify · ym/slugify'), {
      timeout: 5000,
    });
    expect(frame()).toContain('⚠ changes what yardmaster runs:');
    expect(frame()).toMatch(/A src\/slugify\.js +\+43 -0/);
    expect(frame()).toMatch(/lines 1-19 of \d+/);
    app.stdin.write('G');
    await vi.waitFor(() => expect(frame()).toMatch(/lines \d+-(\d+) of \1 \(end\)/));
    expect(frame()).toContain('+  const part40 = 40;');
    app.stdin.write('q');
    await vi.waitFor(() => expect(frame()).toContain('TRACKS by state'));
  });
});

describe('approving from the diff', () => {
  it('approves the head the diff showed, and refuses once the branch moved past it', async () => {
    readySlugify();
    const pane = diffPane(await source.loadDiff('slugify'), false);
    const shown = sha('ym/slugify');
    expect(pane.head).toBe(shown);
    // The agent commits again after the diff was read.
    repo.git(['switch', '-q', 'ym/slugify']);
    repo.write('src/extra.js', 'unseen\n');
    const moved = repo.commit('unseen work');
    repo.git(['switch', '-q', 'main']);
    const refused = await source.actions.approve('slugify', shown);
    expect(refused.ok).toBe(false);
    expect(refused.message).toBe(
      `slugify moved since its diff was read: its head is now ${moved.slice(0, 12)}, the diff showed ${shown.slice(0, 12)}. Nothing approved.`,
    );
    expect(other.listEvents({ trackId: 'slugify' }).some((e) => e.type === 'track.approved')).toBe(
      false,
    );
    // Read again: the new head is approved.
    const again = diffPane(await source.loadDiff('slugify'), false);
    expect(again.lines).toContain('+unseen');
    const ok = await source.actions.approve('slugify', again.head!);
    expect(ok).toMatchObject({
      ok: true,
      message: expect.stringContaining(`approved slugify at ${moved.slice(0, 12)}`),
    });
    expect(
      other
        .listEvents({ trackId: 'slugify' })
        .filter((e) => e.type === 'track.approved')
        .map((e) => e.data),
    ).toEqual([{ sha: moved, by: expect.anything() as unknown }]);
  });
});

describe('the diff of a merged track', () => {
  it('shows what landed, from the merge record, after the branch is gone and main moved on', async () => {
    readySlugify();
    const before = sha('main');
    repo.git(['merge', '-q', '--no-ff', '-m', 'Merge track slugify', 'ym/slugify']);
    const merged = sha('main');
    repo.write('later.txt', 'after the merge\n');
    repo.commit('later work on main');
    repo.git(['branch', '-D', 'ym/slugify']);
    other.transition('slugify', 'merging');
    other.transition('slugify', 'merged', {
      from: 'merging',
      patch: { mergedSha: merged },
      data: { targetBefore: before, commits: 1, strategy: 'merge' },
    });
    const pane = diffPane(await source.loadDiff('slugify'), false);
    expect(pane.title).toMatch(
      new RegExp(
        `^DIFF slugify · landed on main ${before.slice(0, 12)}\\.\\.${merged.slice(0, 12)} \\(merge\\) · 2 files `,
      ),
    );
    expect(pane.lines).toContain('diff --git a/src/slugify.js b/src/slugify.js');
    const all = pane.lines.join('\n');
    expect(all).not.toContain('later.txt');
    expect(all).not.toContain('README');
  });

  it('a planned track has nothing to show, and the error says why', async () => {
    await expect(source.loadDiff('docs')).rejects.toThrow(/Track docs has no branch yet/);
  });
});
