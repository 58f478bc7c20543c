// kill -9 of `ym implement` at seeded random moments through the first real run (issue 13):
// with `attempts: 2` and a track that fails its tests on attempt 1, a resumed run must hand the
// interrupted attempt the same feedback, validate what a finished agent left before running it
// again, and never count a cut-short attempt. At least 10 kills, then one run to the end: the
// same merged set and the same target tree as an uninterrupted run, the feedback-fixed track
// among them, and no agent left running.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import {
  FIRST_RUN_TRACKS,
  expectFirstRunLanded,
  firstRunProject,
  trackStates,
  type FirstRun,
} from '../helpers/first-run.js';
import { isAlive } from '../../src/proc/run.js';
import { seeded } from '../helpers/seeded.js';

const runs: FirstRun[] = [];
afterEach(async () => {
  for (const r of runs.splice(0)) await r.cleanup();
});

/**
 * `ym implement` in its own process, SIGKILLed (the process alone, as kill -9 does) `extraMs`
 * after it printed its `line`-th progress line: random moments spread over the whole run (a
 * kill on a timer alone lands mostly in start-up and recovery), each run getting further.
 */
function implementKilledAt(
  run: FirstRun,
  line: number,
  extraMs: number,
): Promise<{ killed: boolean; code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [CLI_BIN, '--cwd', run.repo.dir, 'implement', '--yes', '--plain'],
    {
      env: { ...run.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let lines = 0;
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    lines += b.toString().split('\n').length - 1;
    if (lines >= line && !timer)
      timer = setTimeout(() => (killed = child.kill('SIGKILL')), extraMs);
  });
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code, out });
    }),
  );
}

const SEED = Number(process.env.YM_KILL_SEED ?? 1304);

describe('first real run under kill -9', () => {
  it(`ends with the same merged set and tree as an uninterrupted run (seed ${SEED})`, async () => {
    const calm = await firstRunProject({ attempts: 2, botSleepSec: 0.4 });
    runs.push(calm);
    const r = await calm.ym(['implement', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await expectFirstRunLanded(calm);

    const run = await firstRunProject({ attempts: 2, botSleepSec: 0.4 });
    runs.push(run);
    const random = seeded(SEED);
    const moments: string[] = [];
    let kills = 0;
    for (let i = 0; kills < 10 && i < 60; i++) {
      const line = 1 + Math.floor(random() * 10);
      const extra = Math.round(random() * 400);
      moments.push(`${line}+${extra}ms`);
      if ((await implementKilledAt(run, line, extra)).killed) kills++;
    }
    const delays = moments;
    expect(kills, `killed at ${moments.join(', ')}`).toBeGreaterThanOrEqual(10);
    const last = await run.ym(['implement', '--yes']);
    expect(last.code, `killed at ${delays.join(', ')}\n${last.stdout}${last.stderr}`).toBe(0);
    await expectFirstRunLanded(run);
    const states = await trackStates(run);
    expect(
      Object.keys(states)
        .filter((id) => states[id]!.state === 'merged')
        .sort(),
    ).toEqual([...FIRST_RUN_TRACKS].sort());
    // The target holds the same files as after the uninterrupted run
    // (yardmaster.json names each project's own agent log, track.json its creation time.)
    const files = (r: FirstRun) =>
      r.repo
        .git(['ls-tree', '-r', 'main'])
        .split('\n')
        .filter((l) => !/(yardmaster\.json|track\.json)$/.test(l));
    expect(files(run), `killed at ${delays.join(', ')}`).toEqual(files(calm));
    // The feedback-fixed track: its fixing attempt had the feedback, and no attempt that ran
    // without it came after one that had it.
    const slug = run.bot().filter((b) => b.event === 'start' && b.track === 'slugify');
    expect(slug.some((s) => s.feedback)).toBe(true);
    const firstWith = slug.findIndex((s) => s.feedback);
    expect(
      slug.slice(firstWith).every((s) => s.feedback),
      JSON.stringify(slug),
    ).toBe(true);
    // Nothing an interrupted run started is still running.
    for (const b of run.bot()) expect(isAlive(b.pid), `agent ${b.pid} of ${b.track}`).toBe(false);
  }, 300_000);
});
