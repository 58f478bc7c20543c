// The status source and the actions against a real repository and state.db: change detection,
// what the event log and the log files add, the detail of a track, and what each key writes.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/runner.js';
import { openStateStore, type StateStore } from '../../src/state/index.js';
import { storeActions } from '../../src/tui/actions.js';
import {
  BOOKKEEPING_REFRESH_MS,
  openStatusSource,
  type StatusSource,
} from '../../src/tui/status-source.js';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

const PLAN = `tracks:
  - id: slugify
    title: Add slugify()
    spec: |
      Turn any string into a URL slug.

      More detail nobody reads in the list.
    phases:
      - title: Implement
        tasks: [Write failing test, Implement slugify]
  - id: docs
    title: Document it
    dependsOn: [slugify]
`;

let repo: TestRepo;
let other: StateStore;
let source: StatusSource;
let cleanups: (() => void | Promise<void>)[];
let clockMs: number;
let ctx: Parameters<typeof openStatusSource>[0];
const stateDir = () => path.join(repo.dir, '.git', 'yardmaster');

beforeEach(async () => {
  repo = makeRepo();
  for (const args of [
    ['setup', '--yes'],
    ['plan', '--from', 'plan.yaml', '--yes'],
  ]) {
    if (args[0] === 'plan') repo.write('plan.yaml', PLAN);
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
  clockMs = Date.now();
  made.ctx.clock = { now: () => new Date(clockMs) };
  ctx = made.ctx;
  source = await openStatusSource(made.ctx);
  other = openStateStore(stateDir());
});

afterEach(async () => {
  other.close();
  for (const fn of cleanups.reverse()) await fn();
  repo.cleanup();
});

/** Starts slugify as implement would: branch with one ticked task, worktree, a run with a log. */
function startSlugify(): string {
  repo.git(['branch', 'ym/slugify']);
  repo.git(['switch', '-q', 'ym/slugify']);
  const planFile = 'yardmaster/tracks/slugify/plan.md';
  repo.write(
    planFile,
    repo.read(planFile).replace('- [ ] 1.1', '- [x] 1.1').replace('- [ ] 1.2', '- [~] 1.2'),
  );
  repo.commit('Write failing test for slugify');
  repo.git(['switch', '-q', 'main']);
  const log = path.join(stateDir(), 'logs', 'slugify', '1.log');
  fs.mkdirSync(path.dirname(log), { recursive: true });
  fs.writeFileSync(log, 'starting\nEditing src/slugify.js\n');
  for (const to of ['queued', 'provisioning'] as const) other.transition('slugify', to);
  other.transition('slugify', 'running', {
    patch: { branch: 'ym/slugify', worktree: '/wt/slugify', agent: 'scripted', attempt: 1 },
  });
  other.startRun({
    trackId: 'slugify',
    attempt: 1,
    agent: 'scripted',
    logPath: log,
    pid: process.pid,
    host: 'test',
  });
  return log;
}

/** The first view (without the conflict radar), then the one with it: what the live view shows 250 ms in. */
async function loadSettled(): Promise<Awaited<ReturnType<StatusSource['load']>>> {
  await source.load();
  expect(source.changed(), 'the radar is still to come after the first view').toBe(true);
  return source.load();
}

describe('StatusSource', () => {
  it('says nothing changed until another process writes, then shows it', async () => {
    const first = await loadSettled();
    expect(first.tracks.map((t) => [t.id, t.state])).toEqual([
      ['slugify', 'planned'],
      ['docs', 'planned'],
    ]);
    expect(source.changed()).toBe(false);
    other.transition('slugify', 'queued');
    expect(source.changed()).toBe(true);
    const next = await source.load();
    expect(next.tracks[0]?.state).toBe('queued');
    expect(next.version).toBeGreaterThan(first.version);
    expect(source.changed()).toBe(false);
  });

  it('shows the first view without the conflict radar, and the radar right after', async () => {
    // slugify and docs both rewrite the same line of README.md on their branches.
    for (const id of ['slugify', 'docs']) {
      repo.git(['switch', '-q', '-c', `ym/${id}`, 'main']);
      repo.write('README.md', `${id} was here\n`);
      repo.commit(`${id} edits README.md`);
    }
    repo.git(['switch', '-q', 'main']);
    for (const id of ['slugify', 'docs']) {
      for (const to of ['queued', 'provisioning'] as const) other.transition(id, to);
      other.transition(id, 'running', {
        patch: { branch: `ym/${id}`, worktree: `/wt/${id}`, agent: 'scripted', attempt: 1 },
      });
    }
    const first = await source.load();
    expect(first.tracks.map((t) => t.conflicts)).toEqual([[], []]);
    expect(source.changed()).toBe(true);
    const next = await source.load();
    expect(Object.fromEntries(next.tracks.map((t) => [t.id, t.conflicts]))).toEqual({
      slugify: ['docs'],
      docs: ['slugify'],
    });
    expect(source.changed()).toBe(false);
  });

  it('ignores bookkeeping writes (heartbeats) until a safety-net refresh is due', async () => {
    startSlugify();
    await loadSettled();
    const run = other.listRuns('slugify')[0]!;
    expect(other.heartbeat(run.id)).toBe(true);
    expect(source.changed()).toBe(false);
    clockMs += BOOKKEEPING_REFRESH_MS;
    expect(source.changed()).toBe(true);
    await source.load();
    expect(source.changed()).toBe(false);
  });

  it('shows progress from the branch, activity from the log, and the last checks', async () => {
    const log = startSlugify();
    other.appendEvent({
      trackId: 'slugify',
      type: 'checks.finished',
      data: {
        attempt: 1,
        ok: false,
        results: [
          { name: 'test', status: 'fail', exitCode: 1, durationMs: 10, outputTail: 'nope' },
        ],
      },
    });
    const v = await loadSettled();
    const t = v.tracks[0]!;
    expect(t).toMatchObject({
      state: 'running',
      planSource: 'branch',
      activity: 'Editing src/slugify.js',
      currentTask: { id: '1.2' },
    });
    expect(t.tasks.done).toBe(1);
    expect(v.checks.slugify?.results[0]).toMatchObject({ name: 'test', status: 'fail' });
    expect(v.startedAt).not.toBeNull();
    // The log grows without any database write: still a change, and the activity follows.
    expect(source.changed()).toBe(false);
    fs.appendFileSync(log, 'Running the tests\n');
    expect(source.changed()).toBe(true);
    expect((await source.load()).tracks[0]?.activity).toBe('Running the tests');
    // A structured activity event wins over the log.
    other.appendEvent({
      trackId: 'slugify',
      type: 'agent.activity',
      data: { text: 'Thinking about slugs' },
    });
    expect((await source.load()).tracks[0]?.activity).toBe('Thinking about slugs');
  });

  it('loads the detail of a track: spec summary, plan, commits over the target, log, worktree', async () => {
    const log = startSlugify();
    await source.load();
    const d = await source.loadDetail('slugify');
    expect(d.specSummary).toBe('Turn any string into a URL slug.');
    expect(d.plan?.phases[0]?.tasks.map((t) => t.marker)).toEqual(['done', 'in_progress']);
    expect(d.commits).toHaveLength(1);
    expect(d.commits[0]).toMatch(/^[0-9a-f]{7,} Write failing test for slugify$/);
    expect(d).toMatchObject({
      logPath: log,
      worktree: '/wt/slugify',
      branch: 'ym/slugify',
      commitsError: null,
    });
    const docs = await source.loadDetail('docs');
    expect(docs).toMatchObject({ branch: null, commits: [], logPath: null });
    expect(docs.plan?.phases.length).toBeGreaterThan(0);
  });
});

describe('the commits of a track whose refs are gone', () => {
  it("says the branch is gone, in a short line without git's error", async () => {
    startSlugify();
    await source.load();
    repo.git(['branch', '-D', 'ym/slugify']);
    const d = await source.loadDetail('slugify');
    expect(d).toMatchObject({
      commits: [],
      commitsOf: { kind: 'branch', branch: 'ym/slugify' },
      commitsError: 'commits unavailable: branch ym/slugify is gone',
    });
  });

  it("says a merged track's merge commit is missing, rather than git's error", async () => {
    startSlugify();
    for (const to of ['validating', 'ready', 'merging'] as const) other.transition('slugify', to);
    other.transition('slugify', 'merged', {
      from: 'merging',
      patch: { mergedSha: 'f'.repeat(40) },
      data: { targetBefore: 'e'.repeat(40), commits: 1, strategy: 'rebase' },
    });
    await source.load();
    const d = await source.loadDetail('slugify');
    expect(d.commitsOf).toMatchObject({ kind: 'landed', target: 'main' });
    expect(d.commitsError).toBe(
      'commits unavailable: the merge ffffffff is not in this repository',
    );
    expect(d.commitsError).not.toContain('fatal');
  });
});

describe('actions on the store', () => {
  it('retry moves a failed track back to queued, and refuses others', () => {
    const actions = storeActions(other);
    expect(actions.retry('slugify')).toMatchObject({
      ok: false,
      message: expect.stringContaining('slugify is planned'),
    });
    for (const to of ['queued', 'provisioning', 'failed'] as const) other.transition('slugify', to);
    expect(actions.retry('slugify').ok).toBe(true);
    expect(other.getTrack('slugify')).toMatchObject({
      state: 'queued',
      reason: 'retried from status',
    });
    expect(actions.retry('nope')).toMatchObject({ ok: false, message: 'nope: no such track' });
  });

  it('cancel records a request for the running track only', () => {
    const actions = storeActions(other);
    expect(actions.cancel('slugify').ok).toBe(false);
    startSlugify();
    const before = other.lastEventId();
    expect(actions.cancel('slugify').ok).toBe(true);
    expect(other.listEvents({ afterId: before })).toMatchObject([
      { trackId: 'slugify', type: 'request.cancel', data: { by: 'status' } },
    ]);
    expect(other.getTrack('slugify')?.state).toBe('running');
  });

  it('enqueue puts a ready track in the merge queue once', () => {
    const actions = storeActions(other);
    expect(actions.enqueue('slugify').ok).toBe(false);
    startSlugify();
    other.transition('slugify', 'validating');
    other.transition('slugify', 'ready');
    expect(actions.enqueue('slugify')).toMatchObject({ ok: true });
    expect(actions.enqueue('slugify')).toMatchObject({
      ok: false,
      message: expect.stringContaining('already'),
    });
    expect(other.listQueue().map((q) => q.trackId)).toEqual(['slugify']);
  });

  it('p pauses and resumes the whole queue, with events', async () => {
    const actions = storeActions(other);
    const before = other.lastEventId();
    expect(actions.togglePause().message).toBe('merge queue paused');
    expect((await source.load()).queuePaused).toBe(true);
    expect(actions.togglePause().message).toBe('merge queue resumed');
    expect((await source.load()).queuePaused).toBe(false);
    expect(other.listEvents({ afterId: before }).map((e) => e.type)).toEqual([
      'queue.paused',
      'queue.resumed',
    ]);
  });
});

describe('--notify-bell', () => {
  it("rings once per load with new events of notify.on's kinds, never for the first view's", async () => {
    repo.write(
      'yardmaster.json',
      JSON.stringify({
        ...JSON.parse(repo.read('yardmaster.json')),
        notify: { on: ['failed', 'awaiting-approval'] },
      }),
    );
    const written: string[] = [];
    ctx.out.stdout.write = (s: string) => (written.push(s), true);
    const belled = await openStatusSource(ctx, { bell: true });
    other.appendEvent({
      trackId: 'docs',
      type: 'track.awaiting-approval',
      data: { sha: 'x', reason: 'r' },
    });
    await belled.load(); // the first view: what happened before it rings nothing
    expect(written).toEqual([]);
    other.transition('slugify', 'queued');
    await belled.load();
    expect(written).toEqual([]);
    other.appendEvent({
      trackId: 'slugify',
      type: 'track.awaiting-approval',
      data: { sha: 'a', reason: 'r' },
    });
    other.appendEvent({
      trackId: 'slugify',
      type: 'track.awaiting-approval',
      data: { sha: 'b', reason: 'r' },
    });
    await belled.load();
    expect(written.filter((w) => w === '\u0007')).toHaveLength(1);
    for (const to of ['provisioning', 'failed'] as const) other.transition('slugify', to);
    await belled.load();
    expect(written.filter((w) => w === '\u0007')).toHaveLength(2);
  });
});
