// Shared bench helpers: run commands side by side (interleaved, same process tree) and compare
// medians as ratios, so a noisy shared machine moves both sides together.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const CLI = path.join(ROOT, 'bin', 'yardmaster.js');

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function timeOnce(argv, opts = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return ms;
}

/** Runs `subject` and `baseline` alternately `runs` times (after warm-up); returns medians. */
export function compare(name, subject, baseline, { runs = 21, warmup = 3, budget, opts } = {}) {
  for (let i = 0; i < warmup; i++) {
    timeOnce(subject, opts);
    timeOnce(baseline, opts);
  }
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(timeOnce(subject, opts));
    b.push(timeOnce(baseline, opts));
  }
  const result = { name, subjectMs: median(a), baselineMs: median(b) };
  result.ratio = result.subjectMs / result.baselineMs;
  result.budget = budget;
  result.ok = budget === undefined || result.ratio <= budget;
  return result;
}

/** Milliseconds one call of `fn` takes (sync or async). */
export async function timeFn(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * For work that needs untimed preparation or reset around each timed run (a worktree to remove,
 * a repository to restore): runs every side in turn, round after round, so a noisy machine
 * moves all sides together; every other round in reverse order, so no side always runs
 * first. A side is `{ before?, run, after? }`; only `run` is timed.
 * Returns the samples (ms) of each side, by name, in round order.
 */
export async function interleave(sides, { runs, warmup = 1 }) {
  const samples = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const order = Object.entries(sides);
  for (let round = 0; round < warmup + runs; round++) {
    for (const [name, side] of round % 2 ? [...order].reverse() : order) {
      await side.before?.();
      const ms = await timeFn(side.run);
      await side.after?.();
      if (round >= warmup) samples[name].push(ms);
    }
  }
  return samples;
}

/** One result row from samples: medians and their ratio, ok when within the budget. */
export function ratioOf(name, subject, baseline, budget) {
  const result = {
    name,
    subjectMs: median(subject),
    baselineMs: median(baseline),
    runs: subject.length,
  };
  result.ratio = result.subjectMs / result.baselineMs;
  result.budget = budget;
  result.ok = budget === undefined || result.ratio <= budget;
  // The median of each round's own ratio: less moved by load that drifts between rounds.
  result.pairedRatio = median(subject.map((ms, i) => ms / baseline[i]));
  result.samples = { subject: subject.map(round1), baseline: baseline.map(round1) };
  return result;
}

const round1 = (ms) => Math.round(ms * 10) / 10;

/** A ratio under 1 as "N times faster", to one decimal where it has one (3.5x, 20x). */
const faster = (ratio) => Math.round(10 / ratio) / 10;

export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

export function initRepo(dir) {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Bench');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'commit.gpgSign', 'false');
  git(dir, 'config', 'gc.auto', '0');
}

export function report(results) {
  const width = Math.max(44, ...results.map((r) => r.name.length));
  const rows = results.map((r) =>
    r.unit !== undefined
      ? // An absolute budget (time, CPU share), not a ratio against a baseline.
        [
          r.ok ? 'ok  ' : 'OVER',
          r.name.padEnd(width),
          `${r.value.toFixed(r.value < 10 ? 2 : 1)} ${r.unit}`.padStart(11),
          (r.baselineMs === undefined ? '' : `${r.baselineMs.toFixed(1)} ms`).padStart(11),
          ''.padStart(7),
          r.budget === undefined ? '(information)' : `budget ${r.budget} ${r.unit}`,
        ].join('  ')
      : [
          r.ok ? 'ok  ' : 'OVER',
          r.name.padEnd(width),
          `${r.subjectMs.toFixed(1)} ms`.padStart(11),
          `${r.baselineMs.toFixed(1)} ms`.padStart(11),
          `${r.ratio.toFixed(2)}x`.padStart(7),
          // A budget under 1 is a speed-up goal: say it the way the goal is written.
          r.budget === undefined
            ? ''
            : `budget ${+r.budget.toFixed(3)}x${r.budget < 1 ? ` (${faster(r.ratio)}x faster; goal ${faster(r.budget)}x)` : ''}`,
          // What a row adds beside its times (the speculative queue's check runs).
          r.note ?? '',
        ].join('  '),
  );
  const header = `${'      bench'.padEnd(width + 6)}${'subject'.padStart(13)}${'baseline'.padStart(13)}  ratio`;
  console.log([header, ...rows].join('\n'));
}
