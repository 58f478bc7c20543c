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
  const rows = results.map((r) =>
    r.unit !== undefined
      ? // An absolute budget (time, CPU share), not a ratio against a baseline.
        [
          r.ok ? 'ok  ' : 'OVER',
          r.name.padEnd(44),
          `${r.value.toFixed(r.value < 10 ? 2 : 1)} ${r.unit}`.padStart(10),
          (r.baselineMs === undefined ? '' : `${r.baselineMs.toFixed(1)} ms`).padStart(10),
          ''.padStart(7),
          r.budget === undefined ? '(information)' : `budget ${r.budget} ${r.unit}`,
        ].join('  ')
      : [
          r.ok ? 'ok  ' : 'OVER',
          r.name.padEnd(44),
          `${r.subjectMs.toFixed(1)} ms`.padStart(10),
          `${r.baselineMs.toFixed(1)} ms`.padStart(10),
          `${r.ratio.toFixed(2)}x`.padStart(7),
          r.budget === undefined ? '' : `budget ${r.budget}x`,
        ].join('  '),
  );
  console.log(['      bench'.padEnd(50) + 'subject'.padStart(10) + 'baseline'.padStart(12) + '  ratio', ...rows].join('\n'));
}
