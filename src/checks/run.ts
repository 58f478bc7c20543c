// The check runner (interim: configured checks only; the validation issue adds the built-in
// checks, JUnit and CI). Each check runs in its own process group with its own timeout.
import { appendFileSync } from 'node:fs';
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import type { CheckReport, CheckRequest, CheckResult } from './types.js';

const TAIL_BYTES = 16 * 1024;

export async function runChecks(ctx: Context, req: CheckRequest, config: Config): Promise<CheckReport> {
  const started = Date.now();
  const results: CheckResult[] = [];
  const head = (await ctx.run('git', ['rev-parse', 'HEAD'], { cwd: req.cwd })).stdout.trim();
  if (req.only !== 'builtin') {
    for (const check of config.checks) {
      if (req.signal?.aborted) break;
      const [file, ...args] = typeof check.run === 'string' ? [check.run] : check.run;
      const log = req.logFile;
      if (log) appendFileSync(log, `\n=== check ${check.name}: ${typeof check.run === 'string' ? check.run : check.run.join(' ')}\n`);
      const t0 = Date.now();
      try {
        const r = await ctx.run(file!, args, {
          cwd: req.cwd,
          shell: typeof check.run === 'string',
          detached: true,
          reject: false,
          keepTail: true,
          maxBuffer: TAIL_BYTES,
          timeoutMs: check.timeoutSec * 1000,
          env: { YM_TRACK_ID: req.trackId },
          ...(req.signal ? { signal: req.signal } : {}),
          ...(log ? { onOutput: (b: Buffer) => appendFileSync(log, b) } : {}),
        });
        const tail = `${r.stdout}${r.stderr}`.slice(-TAIL_BYTES);
        const status = r.exitCode === 0 && !r.timedOut ? 'pass' : r.exitCode === 127 ? 'error' : 'fail';
        results.push({
          name: check.name,
          kind: 'command',
          status,
          level: 'fail',
          exitCode: r.exitCode,
          durationMs: Date.now() - t0,
          outputTail: tail,
          ...(r.timedOut ? { message: `timed out after ${check.timeoutSec} s` } : status === 'error' ? { message: 'command not found' } : {}),
        });
      } catch (err) {
        results.push({ name: check.name, kind: 'command', status: 'error', level: 'fail', exitCode: null, durationMs: Date.now() - t0, outputTail: '', message: (err as Error).message });
      }
    }
  }
  const ok = results.every((r) => r.level === 'warn' || r.status === 'pass' || r.status === 'skip');
  return { ok, results, headSha: head, durationMs: Date.now() - started };
}
