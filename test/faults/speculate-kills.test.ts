// kill -9 of `ym merge` while the speculative window (merge.speculate 4) has candidates in
// flight (issue 15, "Must show"): twelve ready tracks, two of which fail the suite only on top
// of an earlier one (so the window is stopped and rebuilt), a check that takes 1.5 s at merge
// time and logs its pid and the commit it checked. `ym merge` is SIGKILLed at seeded random
// moments, each after a seeded number of this run's checks started (at least 10 kills), and
// run again each time; then once to the end. After it: every first-parent position the target
// took passes the suite and had a passing check of exactly its SHA, no check is left alive,
// no worktree has a rebase or merge in progress, and the merged set and its order are an
// uninterrupted run's on an identical fresh project.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_BIN } from '../helpers/cli.js';
import { recordReliability } from '../helpers/reliability.js';
import { seeded } from '../helpers/seeded.js';
import { FIXTURES, makeProject, type Project } from '../helpers/tracks.js';
import { isAlive } from '../../src/proc/run.js';

const projects: Project[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

const IDS = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
/** [earlier, later]: the later one registers the earlier one's name and fails on top of it. */
const CLASHES: [string, string][] = [
  ['t02', 't05'],
  ['t07', 't08'],
];
const FAILING = CLASHES.map(([, later]) => later);
const CHECK_MS = 1500;

interface CheckLine {
  event: 'start' | 'end';
  pid: number;
  head: string;
  holder: string | null;
  ok?: boolean;
}

/** Twelve tracks made ready by `ym implement --no-merge` (scripted agent), merge.speculate 4. */
async function readyProject() {
  const p = await makeProject({ tracks: IDS.map((id) => ({ id })) });
  projects.push(p);
  const logFile = path.join(p.repo.root, 'checks.jsonl');
  const nameOf = (id: string) => {
    const pair = CLASHES.findIndex((c) => c.includes(id));
    return pair === -1 ? `name-${id}` : `shared-name-${pair}`;
  };
  for (const id of IDS)
    writeFileSync(
      path.join(p.repo.dir, 'yardmaster', 'tracks', id, 'agent-script.json'),
      JSON.stringify({
        attempts: [
          { files: { [`reg/${id}.txt`]: `${nameOf(id)}\n` }, tick: 'all', commit: `${id}: work` },
        ],
      }),
    );
  const cfgFile = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({
      ...(JSON.parse(readFileSync(cfgFile, 'utf8')) as object),
      agent: 'scripted',
      concurrency: 4,
      // A track failing on the merged result is failed at once (`ym merge` runs no agent).
      attempts: 1,
      checks: [
        {
          name: 'suite',
          run: [process.execPath, path.join(FIXTURES, 'spec-check.mjs'), logFile, String(CHECK_MS)],
        },
      ],
      merge: { provider: 'local', strategy: 'rebase', speculate: 4 },
    }),
  );
  p.repo.commit('agent scripts and the suite');
  const r = await p.ym(['implement', '--no-merge'], {}, 120_000);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(Object.values(await states(p))).toEqual(IDS.map(() => 'ready'));
  const start = p.repo.git(['rev-parse', 'main']).trim();
  const checks = (): CheckLine[] =>
    existsSync(logFile)
      ? readFileSync(logFile, 'utf8')
          .split('\n')
          .slice(0, -1)
          .filter(Boolean)
          .map((l) => JSON.parse(l) as CheckLine)
      : [];
  return { p, start, logFile, checks };
}

async function states(p: Project): Promise<Record<string, string>> {
  const r = await p.ym(['status', '--json']);
  const { tracks } = JSON.parse(r.stdout) as { tracks: { id: string; state: string }[] };
  return Object.fromEntries(tracks.map((t) => [t.id, t.state]));
}

/** The tracks main landed after `start`, in order (first parent, oldest first). */
function landedOrder(p: Project, start: string): string[] {
  return p.repo
    .git(['log', '--reverse', '--first-parent', '--format=%s', `${start}..main`])
    .split('\n')
    .filter(Boolean)
    .map((s) => s.replace(/: work$/, ''));
}

/**
 * `ym merge` in its own process, SIGKILLed (the process alone, as kill -9 does) `extraMs` after
 * the `nth` check of this run started (the log grew by that many starts): a moment when the
 * window has candidates in flight, building or checking, or the head is landing.
 */
function mergeKilledAt(
  p: Project,
  checks: () => CheckLine[],
  nth: number,
  extraMs: number,
): Promise<{ killed: boolean; code: number | null; out: string }> {
  const startsBefore = checks().filter((c) => c.event === 'start').length;
  const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, 'merge'], {
    env: { ...p.repo.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  let timer: NodeJS.Timeout | undefined;
  let killed = false;
  const watch = setInterval(() => {
    if (timer) return;
    if (checks().filter((c) => c.event === 'start').length - startsBefore < nth) return;
    timer = setTimeout(() => (killed = child.kill('SIGKILL')), extraMs);
  }, 15);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(watch);
      clearTimeout(timer);
      resolve({
        killed: killed && code === null,
        code,
        out: out.split('\n').slice(-12).join('\n'),
      });
    }),
  );
}

/**
 * Checks of a killed merge that ran on after the next merge had recovered: an "end" line of a
 * holder after the first check the next holder started (each `ym merge` recovers, ending the
 * dead holder's checks, before its queue starts any). Read from the log's order alone.
 */
function outlivedRecovery(log: readonly CheckLine[]): string[] {
  const holders = [...new Set(log.flatMap((l) => (l.holder ? [l.holder] : [])))];
  return holders.slice(0, -1).flatMap((holder, i) => {
    const next = log.findIndex((l) => l.event === 'start' && l.holder === holders[i + 1]);
    return log
      .slice(next)
      .filter((l) => l.holder === holder && l.event === 'end')
      .map((l) => `${holder}: pid ${l.pid} checked ${l.head.slice(0, 8)} after recovery`);
  });
}

/** Worktrees of the repository with a rebase, merge or cherry-pick left in progress. */
function operationsLeft(p: Project): string[] {
  const worktrees = p.repo
    .git(['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
  return worktrees.flatMap((wt) =>
    ['rebase-merge', 'rebase-apply', 'MERGE_HEAD', 'CHERRY_PICK_HEAD']
      .filter((name) =>
        existsSync(
          p.repo.git(['rev-parse', '--path-format=absolute', '--git-path', name], wt).trim(),
        ),
      )
      .map((name) => `${wt}: ${name}`),
  );
}

const SEED = Number(process.env.YM_KILL_SEED ?? 1506);

describe('speculative merge queue under kill -9', () => {
  it(`lands only checked commits and ends as an uninterrupted run (seed ${SEED})`, async () => {
    // The uninterrupted run, on an identical fresh project.
    const calm = await readyProject();
    const c = await calm.p.ym(['merge', '--json'], {}, 120_000);
    expect(c.code, c.stdout + c.stderr).toBe(1); // the two clashing tracks failed
    const calmOrder = landedOrder(calm.p, calm.start);
    expect(calmOrder).toEqual(IDS.filter((id) => !FAILING.includes(id)));
    // The window was used, and rebuilt: stopped candidates and setbacks.
    const { speculation } = JSON.parse(c.stdout) as {
      speculation: { started: number; stopped: number; setbacks: number; limit: number } | null;
    };
    expect(speculation?.limit).toBe(4);
    expect(speculation?.setbacks).toBeGreaterThanOrEqual(FAILING.length);

    const { p, start, checks } = await readyProject();
    const random = seeded(SEED);
    const moments: string[] = [];
    let kills = 0;
    let finished = false;
    for (let i = 0; kills < 10 && i < 40 && !finished; i++) {
      const nth = 1 + Math.floor(random() * 5);
      const extra = Math.round(random() * 1400);
      const r = await mergeKilledAt(p, checks, nth, extra);
      moments.push(`${nth}+${extra}ms${r.killed ? '' : ' (finished)'}`);
      if (r.killed) kills++;
      else {
        // A run that ended before its kill drained the queue: exit 0, or 1 for a failed track.
        expect([0, 1], `${moments.join(', ')}\n${r.out}`).toContain(r.code);
        finished = true;
      }
    }
    const killedAt = `killed at ${moments.join(', ')}`;
    expect(kills, killedAt).toBeGreaterThanOrEqual(10);
    const last = await p.ym(['merge', '--json'], {}, 120_000);
    expect([0, 1], `${killedAt}\n${last.stdout}${last.stderr}`).toContain(last.code);

    // The same merged set, in the same order, and the same failures as the uninterrupted run.
    expect(landedOrder(p, start), killedAt).toEqual(calmOrder);
    const end = await states(p);
    for (const id of IDS)
      expect(end[id], `${id}; ${killedAt}`).toBe(FAILING.includes(id) ? 'failed' : 'merged');

    // Nothing landed unchecked: every first-parent position main took passes the suite, and
    // a check of exactly that SHA ran to its end and passed.
    const log = checks();
    const passed = new Set(log.filter((l) => l.event === 'end' && l.ok).map((l) => l.head));
    const positions = p.repo
      .git(['rev-list', '--first-parent', `${start}..main`])
      .split('\n')
      .filter(Boolean);
    expect(positions).toHaveLength(IDS.length - FAILING.length);
    for (const sha of positions) {
      expect(passed.has(sha), `main held ${sha}, never checked; ${killedAt}`).toBe(true);
      const names = p.repo
        .git(['ls-tree', '--name-only', `${sha}:reg`])
        .split('\n')
        .filter(Boolean)
        .map((f) => p.repo.git(['show', `${sha}:reg/${f}`]).trim());
      expect(new Set(names).size, `${sha} fails the suite`).toBe(names.length);
    }
    // The window's checks ran: under the holder mark, several at once in some run.
    expect(log.filter((l) => l.event === 'start' && l.holder).length).toBeGreaterThan(kills);

    // Each recovery ended the dead merge's checks: none of them finished after it.
    expect(outlivedRecovery(log), killedAt).toEqual([]);
    // No check process left: every pid the checks logged is gone (read after a pause, so a
    // check started just before a kill has logged its start).
    await new Promise((r) => setTimeout(r, 200));
    const pids = [...new Set(log.map((l) => l.pid))];
    expect(
      pids.filter((pid) => isAlive(pid)),
      `checks still running; ${killedAt}`,
    ).toEqual([]);

    // No rebase or merge left in progress, in the queue's pool worktrees or anywhere else.
    const pool = p.repo
      .git(['worktree', 'list', '--porcelain'])
      .split('\n')
      .filter((l) => l.startsWith('worktree ') && path.basename(l).startsWith('.queue-'));
    expect(pool.length, 'the window used its pool worktrees').toBeGreaterThan(0);
    expect(operationsLeft(p), killedAt).toEqual([]);
    expect(p.repo.git(['status', '--porcelain'])).toBe('');

    recordReliability({
      suite: 'merge faults',
      tried: `kill -9 of \`ym merge\` with merge.speculate 4 ${kills} times while the window had candidates in flight (12 ready tracks, 2 failing only on top of another, a 1.5 s check), re-running it after each kill (seed ${SEED})`,
      outcome: `the next \`ym merge\` recovers and ends the dead merge's checks; the last run ends with ${positions.length} merged and ${FAILING.length} failed, as the uninterrupted run`,
      nothingLost:
        'the merged set and order equal the uninterrupted run; every first-parent commit added passed a check of its exact SHA and the suite; no check process left; no rebase or merge in progress in any worktree',
    });
  }, 240_000);
});
