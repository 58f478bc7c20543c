// The live container over a fake source: it polls cheaply and rebuilds only on change, follows the
// open track's log file as it grows, reports refresh errors, and degrades when the terminal is small.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExitRequest } from '../../src/tui/app.js';
import { LiveStatus } from '../../src/tui/live.js';
import type { Review } from '../../src/review/gather.js';
import { UsageError } from '../../src/core/errors.js';
import type { ViewSource } from '../../src/tui/status-source.js';
import type { TrackDetail } from '../../src/tui/track-detail.js';
import type { StatusView } from '../../src/tui/view-model.js';
import {
  NOW,
  detail,
  patchOf,
  recordingActions,
  reviewOf,
  tick,
  track,
  view,
} from '../helpers/status-view.js';

class FakeSource implements ViewSource {
  readonly actions = recordingActions();
  loads = 0;
  detailLoads = 0;
  diffLoads: string[] = [];
  /** What loadDiff answers; a pending promise models git still reading a big diff. */
  diffOf: (id: string) => Promise<Review> = (id) =>
    Promise.resolve(reviewOf(id, [{ path: `src/${id}.ts`, patch: patchOf(`src/${id}.ts`, 3) }]));
  checks = 0;
  dirty = false;
  failWith: Error | null = null;
  constructor(
    public current: StatusView,
    public detailOf: (id: string) => TrackDetail = (id) => detail(id),
  ) {}
  changed(): boolean {
    this.checks += 1;
    return this.dirty;
  }
  async load(): Promise<StatusView> {
    this.loads += 1;
    if (this.failWith) throw this.failWith;
    this.dirty = false;
    return this.current;
  }
  async loadDetail(id: string): Promise<TrackDetail> {
    this.detailLoads += 1;
    return this.detailOf(id);
  }
  loadDiff(id: string): Promise<Review> {
    this.diffLoads.push(id);
    return this.diffOf(id);
  }
}

let dir: string;
let app: ReturnType<typeof render> | undefined;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-live-'))));
afterEach(() => {
  app?.unmount();
  fs.rmSync(dir, { recursive: true, force: true });
});

function mount(source: FakeSource, over: Partial<React.ComponentProps<typeof LiveStatus>> = {}) {
  const exits: ExitRequest[] = [];
  app = render(
    <LiveStatus
      source={source}
      initialView={source.current}
      color={false}
      onExit={(e) => exits.push(e)}
      size={{ columns: 100, rows: 30 }}
      now={NOW}
      pollMs={10}
      {...over}
    />,
  );
  return { exits, frame: () => app!.lastFrame() ?? '' };
}

describe('LiveStatus', () => {
  it('polls cheaply and rebuilds only when the source says something changed', async () => {
    const source = new FakeSource(view([track('api', 'queued')]));
    const { frame } = mount(source);
    await vi.waitFor(() => expect(source.checks).toBeGreaterThan(3));
    expect(source.loads).toBe(0);
    const frames = app!.frames.length;
    await tick(60);
    expect(app!.frames.length).toBe(frames); // nothing changed: nothing redrawn
    expect(frame()).toMatch(/api\s+… queued/);

    source.current = view([track('api', 'running', { attempt: 1 })], { version: 2 });
    source.dirty = true;
    await vi.waitFor(() => expect(frame()).toMatch(/api\s+> running\s+.*1\/3/));
    const loads = source.loads;
    await tick(60);
    expect(source.loads).toBe(loads);
  });

  it('keeps the last view and says so when a refresh fails, then retries', async () => {
    const source = new FakeSource(view([track('api', 'queued')]));
    const { frame } = mount(source);
    source.failWith = new Error('database is locked');
    source.dirty = true;
    await vi.waitFor(() => expect(frame()).toContain('cannot refresh: database is locked'));
    expect(frame()).toMatch(/api\s+… queued/);
    source.failWith = null;
    await vi.waitFor(() => expect(frame()).not.toContain('cannot refresh'));
  });

  it('opens on a track and follows its log file as it grows', async () => {
    const log = path.join(dir, 'api.log');
    fs.writeFileSync(log, 'agent started\n');
    const source = new FakeSource(view([track('api', 'running')]), (id) =>
      detail(id, { logPath: log }),
    );
    const { frame } = mount(source, { initialTrackId: 'api' });
    await vi.waitFor(() => expect(frame()).toContain('agent started'));
    expect(frame()).toContain(`LOG ${log} · following`);
    fs.appendFileSync(log, 'editing src/api.ts\n\u001b[31mtest failed\u001b[0m\n');
    await vi.waitFor(() => expect(frame()).toContain('test failed'));
    expect(frame()).toContain('editing src/api.ts');
  });

  it('reloads the open detail when the view changes', async () => {
    const source = new FakeSource(view([track('api', 'running')]));
    mount(source, { initialTrackId: 'api' });
    await vi.waitFor(() => expect(source.detailLoads).toBe(1));
    source.current = view([track('api', 'validating')], { version: 2 });
    source.dirty = true;
    await vi.waitFor(() => expect(source.detailLoads).toBe(2));
  });

  it('d loads the diff once per open, off the render path: keys work while it loads', async () => {
    const source = new FakeSource(view([track('api', 'ready')]));
    let answer: (r: Review) => void = () => undefined;
    source.diffOf = () => new Promise((resolve) => (answer = resolve));
    const { frame, exits } = mount(source);
    app!.stdin.write('d');
    await vi.waitFor(() => expect(frame()).toContain('loading the diff…'));
    await vi.waitFor(() => expect(source.diffLoads).toEqual(['api']));
    // Still loading: the view answers keys, and polling does not load the diff again.
    app!.stdin.write('?');
    await vi.waitFor(() => expect(frame()).toContain('pause or resume the merge queue'));
    app!.stdin.write('?');
    await vi.waitFor(() => expect(frame()).toContain('loading the diff…'));
    await tick(60);
    expect(source.diffLoads).toEqual(['api']);
    answer(reviewOf('api', [{ path: 'src/api.ts', patch: patchOf('src/api.ts', 40) }]));
    await vi.waitFor(() => expect(frame()).toContain('+line 1'));
    expect(frame()).toContain('src/api.ts');
    expect(frame()).toMatch(/lines 1-25 of 4\d/);
    app!.stdin.write('q');
    await vi.waitFor(() => expect(frame()).toContain('TRACKS by state'));
    expect(exits).toEqual([]);
    // Opened again: read again (the branch may have moved).
    source.diffOf = (id) =>
      Promise.resolve(reviewOf(id, [{ path: 'src/again.ts', patch: patchOf('src/again.ts', 1) }]));
    app!.stdin.write('d');
    await vi.waitFor(() => expect(frame()).toContain('src/again.ts'));
    await vi.waitFor(() => expect(source.diffLoads).toEqual(['api', 'api']));
  });

  it('says why there is no diff, with the hint, and closes as usual', async () => {
    const source = new FakeSource(view([track('api', 'planned')]));
    source.diffOf = () =>
      Promise.reject(
        new UsageError('Track api has no branch yet (it is planned): there is nothing to review.', {
          hint: 'Run `ym implement api` first.',
        }),
      );
    const { frame } = mount(source);
    app!.stdin.write('d');
    await vi.waitFor(() =>
      expect(frame().replace(/\s+/g, ' ')).toContain(
        'no diff to show: Track api has no branch yet (it is planned): there is nothing to review. Run `ym implement api` first.',
      ),
    );
    app!.stdin.write('\u001b');
    await vi.waitFor(() => expect(frame()).toContain('TRACKS by state'));
  });

  it('shows the plain table when the terminal is too small, and q still quits', async () => {
    const source = new FakeSource(view([track('api', 'running'), track('web')]));
    const { frame, exits } = mount(source, { size: { columns: 50, rows: 10 } });
    expect(frame()).toMatch(/TRACK\s+STATE/);
    expect(frame()).toContain('api');
    expect(frame()).toContain('the live view needs 60x12');
    app!.stdin.write('q');
    await tick();
    expect(exits).toEqual([{ code: 0 }]);
  });
});
