// Edges of resuming and stopping a track's quality loop (issue 13, defect 4; found in review):
// an agent killed after it committed its fix, in a repository whose refs were packed since (the
// head cannot be read from a loose ref file), is validated, never run again; a cancel during
// the backoff before attempt 2 stops the track without starting that attempt's agent.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import { firstRunProject, trackStates, type FirstRun } from '../helpers/first-run.js';

let run: FirstRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

function implementInBackground(r: FirstRun) {
  const child = spawn(
    process.execPath,
    [CLI_BIN, '--cwd', r.repo.dir, 'implement', '--yes', '--plain'],
    { env: { ...r.env, CI: 'true', NO_COLOR: '1' }, stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

async function until(what: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('resuming and stopping a track', () => {
  it('an agent killed after committing its fix, refs packed since: its work is validated, the agent never runs again', async () => {
    run = await firstRunProject({ attempts: 2, botEnv: { BOT_HANG_AFTER_FIX: '30' } });
    const r = run;
    const first = implementInBackground(r);
    await until(() => r.bot().some((b) => b.event === 'committed' && b.track === 'slugify'));
    first.child.kill('SIGKILL');
    await first.exited;
    // git gc, git maintenance or pack-refs moved the branch into packed-refs.
    r.repo.git(['pack-refs', '--all']);
    const second = await r.ym(['implement', '--yes']);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(/slugify validating the work of interrupted attempt 2/);
    expect((await trackStates(r)).slugify?.state).toBe('merged');
    const starts = r
      .bot()
      .filter((b) => b.event === 'start' && b.track === 'slugify')
      .map((b) => b.attempt);
    expect(starts).toEqual([1, 2]);
  }, 90_000);

  it('a cancel during the backoff stops the track at once, and attempt 2 never starts', async () => {
    run = await firstRunProject({
      attempts: 3,
      config: { retry: { backoffMs: 20_000, maxBackoffMs: 20_000 } },
    });
    const r = run;
    const bg = implementInBackground(r);
    // Attempt 1 of slugify failed its tests: the track waits in the backoff (20 s).
    const deadline = Date.now() + 30_000;
    while (
      (await trackStates(r).catch(() => ({}) as Record<string, { reason: string | null }>)).slugify
        ?.reason !== 'retrying'
    ) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((x) => setTimeout(x, 100));
    }
    const started = Date.now();
    const res = await r.ym(['cancel', 'slugify'], { timeoutMs: 30_000 });
    expect(res.code, res.stdout + res.stderr).toBe(0);
    // Within a lease tick or two, not at the end of the backoff.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await trackStates(r)).slugify?.state).toBe('cancelled');
    bg.child.kill('SIGTERM');
    await bg.exited;
    expect(
      r
        .bot()
        .filter((b) => b.event === 'start' && b.track === 'slugify')
        .map((b) => b.attempt),
    ).toEqual([1]);
  }, 90_000);
});
