// runChecks: THE check runner, used by implement's quality loop, the merge queue, `ym validate`
// and CI. Built-in checks first (each at its configured level), then the configured checks in
// order. Every check runs even when an earlier one failed (users want the whole picture); only
// `req.signal` stops the run, and what did not run is reported as skipped.
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import { BUILTIN_CONFIG_KEY, BUILTIN_RUNNERS, type Verdict } from './builtin.js';
import { runCommandCheck } from './command.js';
import { LogSink } from './log.js';
import { loadRevision, type Revision } from './revision.js';
import {
  BUILTIN_CHECKS,
  type BuiltinCheckName,
  type CheckReport,
  type CheckRequest,
  type CheckResult,
} from './types.js';

export async function runChecks(
  ctx: Pick<Context, 'run'>,
  req: CheckRequest,
  config: Config,
): Promise<CheckReport> {
  const started = performance.now();
  const rev = await loadRevision(ctx.run, req.cwd, req.trackId, req.target, req.rev, req.knownHead);
  const log = req.logFile ? LogSink.open(req.logFile) : null;
  log?.section(
    `checks for track ${req.trackId} at ${rev.head} (target ${req.target}${rev.targetSha ? ` ${rev.targetSha}` : ''})`,
  );
  const results: CheckResult[] = [];
  const interrupted = () => req.signal?.aborted === true;
  const record = (r: CheckResult) => {
    results.push(r);
    req.onResult?.(r);
  };
  try {
    for (const name of BUILTIN_CHECKS) {
      const level = config.builtinChecks[BUILTIN_CONFIG_KEY[name]];
      if (level === 'off') continue;
      if (interrupted()) {
        record(skipped(name, 'builtin', level));
        continue;
      }
      if (req.skipBuiltin?.names.includes(name)) {
        record({ ...skipped(name, 'builtin', level), message: req.skipBuiltin.why });
        continue;
      }
      req.onStart?.(name, 'builtin');
      const result = await runBuiltin(name, level, rev);
      log?.section(
        `check ${name}: ${result.status}${result.message ? ` (${result.message})` : ''}`,
      );
      if (result.outputTail) log?.line(result.outputTail);
      record(result);
    }
    if ((req.only ?? 'all') === 'all') {
      const env = { YM_TRACK_ID: req.trackId, YM_TARGET: req.target, ...req.env };
      for (const check of config.checks) {
        if (interrupted()) {
          record(skipped(check.name, 'command', 'fail'));
          continue;
        }
        req.onStart?.(check.name, 'command');
        record(
          await runCommandCheck(ctx.run, check, { cwd: rev.root, env, log, signal: req.signal }),
        );
      }
    }
  } finally {
    if (log?.problem) {
      // Say it where the user looks: on the last result, and in the log's place in the report.
      const last = results[results.length - 1];
      if (last)
        last.message = `${last.message ?? ''}${last.message ? '; ' : ''}run log not written: ${log.problem}`;
    }
    log?.close();
  }
  const ok = results.every((r) => r.level !== 'fail' || r.status === 'pass' || r.status === 'skip');
  return {
    ok: ok && !interrupted(),
    results,
    headSha: rev.head,
    mergeBase: rev.base,
    durationMs: Math.round(performance.now() - started),
    interrupted: interrupted(),
  };
}

async function runBuiltin(
  name: BuiltinCheckName,
  level: 'fail' | 'warn',
  rev: Revision,
): Promise<CheckResult> {
  const started = performance.now();
  let verdict: Verdict;
  try {
    verdict = await BUILTIN_RUNNERS[name](rev);
  } catch (err) {
    verdict = {
      status: 'error',
      message: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
    };
  }
  return {
    name,
    kind: 'builtin',
    status: verdict.status,
    level,
    exitCode: null,
    durationMs: Math.round(performance.now() - started),
    outputTail: (verdict.details ?? []).join('\n'),
    message: verdict.message,
  };
}

function skipped(name: string, kind: CheckResult['kind'], level: 'fail' | 'warn'): CheckResult {
  return {
    name,
    kind,
    status: 'skip',
    level,
    exitCode: null,
    durationMs: 0,
    outputTail: '',
    message: 'interrupted before it ran',
  };
}
