// The notifier (src/notify/notifier.ts) with a fake process runner: only the chosen events run
// the command, with the document on stdin; at most MAX_IN_FLIGHT at once, the rest in turn;
// failures are one line; close() stops what still runs after the grace and says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { MAX_IN_FLIGHT, Notifier } from '../../src/notify/notifier.js';
import type { ProcessRunner, RunOptions, RunResult } from '../../src/proc/run.js';
import { openStateStore } from '../../src/state/open.js';
import type { StateStore } from '../../src/state/store.js';

const NOW = new Date('2026-12-04T21:00:00.000Z');
let dir: string;
let store: StateStore;
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Call {
  file: string;
  args: readonly string[];
  options: RunOptions;
  finish(result?: Partial<RunResult>): void;
}

function setup(notify: Record<string, unknown>) {
  dir = mkdtempSync(path.join(tmpdir(), 'ym-notify-'));
  store = openStateStore(path.join(dir, 'state'), { now: () => NOW });
  store.upsertTrackDefinitions([
    { id: 'alpha', title: 'Alpha', type: 'feature', dependsOn: [] },
  ] as never);
  const calls: Call[] = [];
  const run: ProcessRunner = (file, args, options = {}) =>
    new Promise((resolve) => {
      const finish = (r: Partial<RunResult> = {}) =>
        resolve({
          command: file,
          args,
          exitCode: 0,
          signal: null,
          stdout: '',
          stderr: '',
          timedOut: false,
          durationMs: 1,
          ...r,
        });
      options.signal?.addEventListener('abort', () =>
        finish({ exitCode: null, signal: 'SIGTERM' }),
      );
      calls.push({ file, args, options, finish });
    });
  const lines: string[] = [];
  const config = ConfigSchema.parse({ notify });
  const notifier = new Notifier({
    run,
    root: dir,
    config,
    store,
    clock: { now: () => NOW },
    warn: (id, text) => lines.push(`${id ?? '-'} ${text}`),
  });
  return { calls, lines, notifier };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Notifier', () => {
  it('runs the command only for the chosen events, with the document on stdin and the timeout', async () => {
    const { calls, notifier } = setup({
      command: ['./n.sh', '--x'],
      on: ['merged'],
      timeoutSec: 3,
    });
    notifier.emit({ event: 'failed', trackId: 'alpha', reason: 'no', sha: null });
    notifier.emit({
      event: 'merged',
      trackId: 'alpha',
      reason: null,
      sha: 'abc',
      url: 'https://pr/1',
    });
    expect(calls.map((c) => [c.file, c.args])).toEqual([['./n.sh', ['--x']]]);
    expect(calls[0]!.options).toMatchObject({
      cwd: dir,
      timeoutMs: 3000,
      reject: false,
      detached: true,
    });
    expect(JSON.parse(calls[0]!.options.input!)).toEqual({
      version: 1,
      event: 'merged',
      at: NOW.toISOString(),
      repo: dir,
      target: 'main',
      track: 'alpha',
      title: 'Alpha',
      state: 'planned',
      attempt: 0,
      reason: null,
      sha: 'abc',
      log: null,
      url: 'https://pr/1',
    });
    calls[0]!.finish();
    await notifier.close(10);
  });

  it('nothing runs without notify.command', () => {
    const { calls, notifier } = setup({ on: ['merged'] });
    notifier.emit({ event: 'merged', trackId: 'alpha', reason: null, sha: 'abc' });
    expect(calls).toEqual([]);
  });

  it(`at most ${MAX_IN_FLIGHT} at once; the rest start as those end`, async () => {
    const { calls, notifier } = setup({ command: ['./n.sh'] });
    for (let i = 0; i < MAX_IN_FLIGHT + 2; i++)
      notifier.emit({ event: 'merged', trackId: 'alpha', reason: String(i), sha: null });
    expect(calls).toHaveLength(MAX_IN_FLIGHT);
    calls[0]!.finish();
    await settle();
    await settle();
    expect(calls).toHaveLength(MAX_IN_FLIGHT + 1);
    expect(JSON.parse(calls[MAX_IN_FLIGHT]!.options.input!).reason).toBe(String(MAX_IN_FLIGHT));
    for (const c of calls) c.finish();
    await settle();
    await settle();
    expect(calls).toHaveLength(MAX_IN_FLIGHT + 2);
    for (const c of calls) c.finish();
    await notifier.close(10);
  });

  it('a failure or a timeout is one line, never an error', async () => {
    const { calls, lines, notifier } = setup({ command: ['./n.sh'] });
    notifier.emit({ event: 'merged', trackId: 'alpha', reason: null, sha: null });
    notifier.emit({ event: 'failed', trackId: 'alpha', reason: 'x', sha: null });
    calls[0]!.finish({ exitCode: 22, stderr: 'curl: (22) 404\n' });
    calls[1]!.finish({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    await notifier.close(10);
    expect(lines).toEqual([
      'alpha notify: ./n.sh failed (merged): exit 22: curl: (22) 404',
      'alpha notify: ./n.sh did not finish within 10 s (failed); stopped',
    ]);
  });

  it('close() waits the grace, then stops what still runs, says so, and sends nothing more', async () => {
    const { calls, lines, notifier } = setup({ command: ['./n.sh'] });
    notifier.emit({ event: 'merged', trackId: 'alpha', reason: null, sha: null });
    const started = Date.now();
    await notifier.close(50);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(calls[0]!.options.signal?.aborted).toBe(true);
    expect(lines).toEqual([
      '- notify: 1 notification(s) still running as the command ended were stopped',
    ]);
    notifier.emit({ event: 'merged', trackId: 'alpha', reason: null, sha: null });
    expect(calls).toHaveLength(1);
  });
});
