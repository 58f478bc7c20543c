// How a check report reads: the terminal table (a symbol with every status, never colour
// alone), the failing checks' output tails, the `--json` document (schema in docs/validate.md)
// and the markdown table for $GITHUB_STEP_SUMMARY. Pure.
import type { Palette } from '../cli/output.js';
import type { CheckReport, CheckResult, CheckStatus } from './types.js';

export interface ReportMeta {
  trackId: string;
  branch: string | null;
  /** The target ref the checks compared against (`main`, `origin/main`). */
  target: string;
  checkout: string;
  mode: 'local' | 'ci';
  builtinOnly: boolean;
  logFile: string | null;
}

/** What the table shows: the status, or `warn` for a problem at level warn. */
export function displayStatus(r: CheckResult): {
  symbol: string;
  label: string;
  tone: 'ok' | 'bad' | 'warn' | 'quiet';
} {
  if (r.status === 'pass') return { symbol: '✓', label: 'pass', tone: 'ok' };
  if (r.status === 'skip') return { symbol: '-', label: 'skip', tone: 'quiet' };
  if (r.level === 'warn')
    return { symbol: '⚠', label: r.status === 'fail' ? 'warn' : 'error', tone: 'warn' };
  return { symbol: '✗', label: r.status, tone: 'bad' };
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

const problem = (r: CheckResult) => r.status === 'fail' || r.status === 'error';
const blocking = (r: CheckResult) => problem(r) && r.level === 'fail';

export function summaryLine(report: CheckReport): string {
  const failed = report.results.filter(blocking);
  const warnings = report.results.filter((r) => problem(r) && r.level === 'warn');
  const n = report.results.length;
  const warn =
    warnings.length > 0
      ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (${warnings.map((r) => r.name).join(', ')})`
      : '';
  const time = formatDuration(report.durationMs);
  if (report.interrupted)
    return `INTERRUPTED after ${time}: ${n - report.results.filter((r) => r.status === 'skip').length} of ${n} checks ran.`;
  if (failed.length > 0) {
    return `FAILED: ${failed.length} of ${n} check${n === 1 ? '' : 's'} failed (${failed.map((r) => r.name).join(', ')})${warn}, in ${time}.`;
  }
  return `OK: ${n} check${n === 1 ? '' : 's'} passed${warn}, in ${time}.`;
}

export function renderTable(report: CheckReport, meta: ReportMeta, c: Palette): string {
  const tone = { ok: c.green, bad: c.red, warn: c.yellow, quiet: c.dim };
  const nameWidth = Math.max(5, ...report.results.map((r) => r.name.length));
  const lines = [
    c.bold(`Track ${meta.trackId} at ${report.headSha.slice(0, 10)} (vs ${meta.target})`) +
      c.dim(`  ${meta.checkout}`),
  ];
  if (report.results.length === 0)
    lines.push('  (no checks: every built-in check is off and none is configured)');
  for (const r of report.results) {
    const s = displayStatus(r);
    const status = tone[s.tone](`${s.symbol} ${s.label.padEnd(5)}`);
    const time = formatDuration(r.durationMs).padStart(7);
    lines.push(
      `  ${status}  ${r.name.padEnd(nameWidth)}  ${c.dim(time)}  ${r.message ?? ''}`.trimEnd(),
    );
  }
  for (const r of report.results.filter((x) => problem(x) && x.outputTail !== '')) {
    const exit = r.exitCode === null ? '' : ` (exit ${r.exitCode})`;
    lines.push(
      '',
      c.bold(
        `--- ${r.name}${exit}: ${r.kind === 'command' ? 'last lines of its output' : 'details'} ---`,
      ),
      r.outputTail,
    );
  }
  lines.push('', (report.ok ? c.green : c.red)(summaryLine(report)));
  if (meta.logFile) lines.push(c.dim(`Full output: ${meta.logFile}`));
  return lines.join('\n');
}

export function countByStatus(results: readonly CheckResult[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
}

/** The `--json` document, version 1 (docs/validate.md). Every key always present. */
export function reportJson(report: CheckReport, meta: ReportMeta) {
  return {
    schemaVersion: 1,
    ok: report.ok,
    track: meta.trackId,
    branch: meta.branch,
    target: meta.target,
    checkout: meta.checkout,
    headSha: report.headSha,
    mergeBase: report.mergeBase,
    mode: meta.mode,
    builtinOnly: meta.builtinOnly,
    interrupted: report.interrupted,
    durationMs: report.durationMs,
    logFile: meta.logFile,
    counts: countByStatus(report.results),
    results: report.results.map((r) => ({
      name: r.name,
      kind: r.kind,
      status: r.status,
      level: r.level,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      message: r.message ?? null,
      command: r.command ?? null,
      timedOut: r.timedOut ?? false,
      outputTail: r.outputTail,
    })),
  };
}

const cell = (s: string) =>
  s
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');

/** Markdown for $GITHUB_STEP_SUMMARY: a heading, the table, and the failing tails folded. */
export function renderStepSummary(report: CheckReport, meta: ReportMeta): string {
  const icon = { ok: '✅', bad: '❌', warn: '⚠️', quiet: '⏭️' };
  const lines = [
    `### ${report.ok ? '✅' : '❌'} Yardmaster: track \`${meta.trackId}\``,
    '',
    `${cell(summaryLine(report))} Commit \`${report.headSha.slice(0, 10)}\` against \`${cell(meta.target)}\`.`,
    '',
    '| Check | Status | Duration | Message |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of report.results) {
    const s = displayStatus(r);
    lines.push(
      `| ${cell(r.name)} | ${icon[s.tone]} ${s.label} | ${formatDuration(r.durationMs)} | ${cell(r.message ?? '')} |`,
    );
  }
  for (const r of report.results.filter((x) => problem(x) && x.outputTail !== '')) {
    const longest = Math.max(2, ...(r.outputTail.match(/`+/g) ?? []).map((m) => m.length));
    const fence = '`'.repeat(longest + 1);
    lines.push(
      '',
      `<details><summary>${cell(r.name)}: output tail</summary>`,
      '',
      `${fence}text`,
      r.outputTail,
      fence,
      '',
      '</details>',
    );
  }
  return `${lines.join('\n')}\n\n`;
}
