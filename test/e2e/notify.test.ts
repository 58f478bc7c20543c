// notify.command end to end with the built CLI: it receives exactly the events notify.on chooses,
// one JSON document each on stdin (docs/review.md, "Notifications"), and a notify command that
// hangs or fails neither slows the run down nor fails it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';

let project: Project | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

const KEYS = [
  'version',
  'event',
  'at',
  'repo',
  'target',
  'track',
  'title',
  'state',
  'attempt',
  'reason',
  'sha',
  'log',
  'url',
];

async function notifyProject(notify: Record<string, unknown>, merge: Record<string, unknown> = {}) {
  const p = await makeProject({
    tracks: [{ id: 'alpha' }, { id: 'broken' }],
    config: { attempts: 1, merge },
  });
  project = p;
  const out = path.join(p.repo.root, 'notified.jsonl');
  const [mode, ...rest] = (notify.mode as string[] | undefined) ?? [];
  useRecordingAgent(
    p,
    { alpha: { behaviour: 'stamp' }, broken: { behaviour: 'exit-1' } },
    {
      config: {
        notify: {
          command: [
            process.execPath,
            path.join(FIXTURES, 'notify-recorder.mjs'),
            out,
            ...(mode ? [mode, ...rest] : []),
          ],
          ...notify,
          mode: undefined,
        },
      },
    },
  );
  const docs = () =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { p, docs };
}

describe('notify.command', () => {
  it('receives exactly the configured events, each as one JSON document on stdin', async () => {
    const { p, docs } = await notifyProject(
      { on: ['awaiting-approval', 'merged'] },
      { requireApproval: true },
    );
    const run = await p.ym(['implement', '--yes']);
    expect(run.code).toBe(1);
    const head = p.repo.git(['rev-parse', 'ym/alpha']).trim();
    // broken failed, but "failed" is not in notify.on.
    await expect.poll(() => docs().length).toBe(1);
    const [awaiting] = docs();
    expect(Object.keys(awaiting!)).toEqual(KEYS);
    expect(awaiting).toMatchObject({
      version: 1,
      event: 'awaiting-approval',
      repo: p.repo.dir,
      target: 'main',
      track: 'alpha',
      title: 'Track alpha',
      state: 'ready',
      attempt: 1,
      reason:
        'awaiting approval (merge.requireApproval is on); run `ym review alpha`, then `ym approve alpha`',
      sha: head,
      url: null,
    });
    expect(awaiting!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(awaiting!.log).toMatch(/\.git\/yardmaster\/logs\/.*alpha/);
    expect(existsSync(awaiting!.log as string)).toBe(true);

    // Once per head: another look at the same head tells nobody again.
    expect((await p.ym(['merge', '--yes'])).code).toBe(1);
    expect(docs()).toHaveLength(1);
    expect((await p.ym(['approve', 'alpha'])).code).toBe(0);
    expect((await p.ym(['merge', '--yes'])).code).toBe(0);
    await expect.poll(() => docs().length).toBe(2);
    expect(docs()[1]).toMatchObject({
      event: 'merged',
      track: 'alpha',
      state: 'merged',
      reason: null,
      sha: p.repo.git(['rev-parse', 'main']).trim(),
    });
    expect(docs().map((d) => d.event)).toEqual(['awaiting-approval', 'merged']);
  }, 60_000);

  it('tells about a failed track with its reason', async () => {
    const { p, docs } = await notifyProject({ on: ['failed'] });
    // A repository command like the checks: it runs only once the config is trusted.
    const untrusted = await p.ym(['implement'], { CI: undefined });
    expect(untrusted.code).toBe(2);
    expect(untrusted.stderr).toMatch(/would run: notify: .*notify-recorder\.mjs/);
    expect(docs()).toEqual([]);
    expect((await p.ym(['implement', '--yes'])).code).toBe(1);
    await expect.poll(() => docs().length).toBe(1);
    expect(docs()[0]).toMatchObject({
      event: 'failed',
      track: 'broken',
      state: 'failed',
      reason: expect.stringContaining('out of attempts (1)') as unknown as string,
      sha: null,
    });
  }, 60_000);

  it('a hanging notify command does not slow the run: it is stopped, and said so', async () => {
    const { p, docs } = await notifyProject({ mode: ['hang'], on: ['merged'], timeoutSec: 60 });
    const started = Date.now();
    const run = await p.ym(['implement', 'alpha', '--yes']);
    const took = Date.now() - started;
    expect(run.code, run.stdout).toBe(0);
    expect(p.repo.git(['ls-tree', '--name-only', 'main', 'src/alpha.txt']).trim()).toBe(
      'src/alpha.txt',
    );
    expect(docs().map((d) => d.event)).toEqual(['merged']);
    expect(run.stdout).toContain(
      'notify: 1 notification(s) still running as the command ended were stopped',
    );
    expect(took).toBeLessThan(10_000);
  }, 60_000);

  it('a failing notify command does not fail the run: one line says so', async () => {
    const { p, docs } = await notifyProject({ mode: ['exit', '3'], on: ['merged', 'failed'] });
    const run = await p.ym(['implement', 'alpha', '--yes']);
    expect(run.code, run.stdout).toBe(0);
    expect(docs().map((d) => d.event)).toEqual(['merged']);
    expect(run.stdout).toMatch(
      /alpha notify: .*node\S* failed \(merged\): exit 3: the webhook said no/,
    );
  }, 60_000);
});
