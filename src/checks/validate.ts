// `ym validate [ID] [--ci] [--json] [--junit FILE] [--builtin-only]`: run the checks for one
// track, print a table (or one JSON document), write JUnit XML and the GitHub step summary when
// asked, and record the results as a `checks.finished` event when state.db exists (never in CI).
// Exit 0 when every check passed, 1 when one failed, 2 for bad usage, 130 when interrupted.
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { requireConfig } from '../config/require.js';
import { requireTrust } from '../config/trust.js';
import { stateDbPath } from '../state/open.js';
import { repoCommands } from '../config/commands.js';
import { renderJUnit } from './junit.js';
import { locate } from './locate.js';
import { renderStepSummary, renderTable, reportJson, type ReportMeta } from './report.js';
import { runChecks } from './run.js';

export interface ValidateOptions {
  id?: string | undefined;
  ci: boolean;
  junit?: string | undefined;
  builtinOnly: boolean;
  rev?: string | undefined;
}

/** Fails before any check runs when the report could not be written there. */
function assertWritable(file: string): void {
  const fail = (why: string) =>
    new UsageError(`Cannot write the JUnit report to ${file}: ${why}.`, {
      hint: 'Pass --junit a file path in an existing, writable directory.',
    });
  if (existsSync(file) && statSync(file).isDirectory()) throw fail('it is a directory');
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, 'a'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(
      code === 'ENOENT'
        ? `the directory ${path.dirname(file)} does not exist`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'permission denied'
          : code === 'ENOTDIR'
            ? 'a parent of it is not a directory'
            : (err as Error).message,
    );
  }
  if (!existed) unlinkSync(file);
}

export async function validate(opts: ValidateOptions, ctx: Context): Promise<ExitCodeValue> {
  if (opts.rev !== undefined && !opts.builtinOnly) {
    throw new UsageError(
      '--rev needs --builtin-only: configured checks run on the working tree, not on a commit.',
    );
  }
  const { config } = await requireConfig(ctx);
  const junitFile = opts.junit === undefined ? null : path.resolve(ctx.cwd, opts.junit);
  if (junitFile !== null) assertWritable(junitFile);

  const where = await locate(ctx, config, opts);
  const runsCommands = !opts.builtinOnly && config.checks.length > 0;
  // CI counts as approval (requireTrust knows CI=true); --ci is a CI run whatever the variables say.
  if (runsCommands && !opts.ci) {
    await requireTrust(ctx, repoCommands(config, { checks: true }));
  }

  const repo = await ctx.repo();
  const stamp = ctx.clock.now().toISOString().replace(/[:.]/g, '-');
  const logFile = runsCommands
    ? path.join(repo.stateDir, 'logs', where.trackId, `validate-${stamp}.log`)
    : null;
  const report = await runChecks(
    ctx,
    {
      cwd: where.checkout,
      trackId: where.trackId,
      target: where.target,
      ...(opts.rev !== undefined ? { rev: opts.rev } : {}),
      ...(logFile ? { logFile } : {}),
      only: opts.builtinOnly ? 'builtin' : 'all',
      env: { YM_BRANCH: where.branch ?? '' },
      signal: ctx.signal,
      onStart: (name, kind) => {
        if (kind === 'command') ctx.out.info(ctx.out.c.dim(`running check ${name}...`));
      },
    },
    config,
  );

  const meta: ReportMeta = {
    trackId: where.trackId,
    branch: where.branch,
    target: where.target,
    checkout: where.checkout,
    mode: opts.ci ? 'ci' : 'local',
    builtinOnly: opts.builtinOnly,
    logFile,
  };
  if (!opts.ci && existsSync(stateDbPath(repo.stateDir))) {
    (await ctx.state()).appendEvent({
      trackId: where.trackId,
      type: 'checks.finished',
      data: { source: 'validate', ...reportJson(report, meta) },
    });
  }
  if (junitFile !== null) {
    try {
      writeFileSync(
        junitFile,
        renderJUnit(report, {
          trackId: where.trackId,
          timestamp: ctx.clock.now(),
          hostname: hostname(),
        }),
      );
    } catch (err) {
      throw new UsageError(
        `Cannot write the JUnit report to ${junitFile}: ${(err as Error).message}`,
      );
    }
  }
  const summaryFile = ctx.env.GITHUB_STEP_SUMMARY;
  if (opts.ci && summaryFile) {
    try {
      appendFileSync(summaryFile, renderStepSummary(report, meta));
    } catch (err) {
      ctx.out.warn(`could not write the step summary to ${summaryFile}: ${(err as Error).message}`);
    }
  }
  if (ctx.json) ctx.out.json(reportJson(report, meta));
  else ctx.out.line(renderTable(report, meta, ctx.out.c));
  if (report.interrupted) return ExitCode.interrupted;
  return report.ok ? ExitCode.ok : ExitCode.failed;
}
