// The plain status table: for pipes, CI logs and terminals without the live view.
import type { Palette } from '../cli/output.js';
import type { TrackState } from '../state/lifecycle.js';
import type { StatusSnapshot, TrackSnapshot } from './snapshot.js';
import { formatCost, formatTokens, type UsageTotals } from '../core/usage.js';

/** `~$1.20 · 120k in / 8.1k out` or null when nothing is known (a header's spend). */
export function describeSpend(u: UsageTotals): string | null {
  if (u.runs === 0) return null;
  const tokens =
    u.inputTokens !== null || u.outputTokens !== null
      ? ` · ${formatTokens(u.inputTokens)} in / ${formatTokens(u.outputTokens)} out`
      : '';
  const cache = u.cacheReadTokens ? ` (${formatTokens(u.cacheReadTokens)} cached)` : '';
  return `${formatCost(u)}${tokens}${cache}`;
}

/** One line per attempt that reported usage (`ym status ID`). */
export function renderAttemptUsage(t: TrackSnapshot): string[] {
  return t.usage.perAttempt.map((a) => {
    const cost = formatCost({ costUsd: a.costUsd, costSource: a.costSource, unpricedRuns: 0 });
    const source = a.costSource
      ? ` (${a.costSource})`
      : a.costUsd === null
        ? ' (cost unknown)'
        : '';
    const cache =
      a.cacheReadTokens !== null || a.cacheWriteTokens !== null
        ? `, cache ${formatTokens(a.cacheReadTokens)} read / ${formatTokens(a.cacheWriteTokens)} written`
        : '';
    const extra = [
      a.model,
      a.sessionId ? `session ${a.sessionId}` : null,
      a.final ? null : 'live (the agent did not exit)',
    ]
      .filter(Boolean)
      .join(', ');
    return `  attempt ${a.attempt ?? '?'} (run ${a.runId}): ${cost}${source}, ${formatTokens(a.inputTokens)} in / ${formatTokens(a.outputTokens)} out${cache}${extra ? `; ${extra}` : ''}`;
  });
}

/** A symbol per state, so state never depends on colour alone. */
export const STATE_SYMBOL: Record<TrackState, string> = {
  planned: '·',
  queued: '…',
  provisioning: '+',
  running: '>',
  validating: '?',
  ready: '=',
  merging: '^',
  merged: '✓',
  failed: '✗',
  conflicted: '!',
  blocked: '#',
  cancelled: '-',
  reverted: '<',
  interrupted: '~',
};

export function stateColor(c: Palette, state: TrackState): (s: string) => string {
  switch (state) {
    case 'merged':
    case 'ready':
      return c.green;
    case 'failed':
    case 'conflicted':
    case 'blocked':
      return c.red;
    case 'running':
    case 'validating':
    case 'provisioning':
    case 'merging':
      return c.cyan;
    case 'interrupted':
      return c.yellow;
    default:
      return c.dim;
  }
}

function progress(t: TrackSnapshot): string {
  if (t.planError) return 'plan?';
  if (t.planSource === 'missing') return '-';
  return `${t.tasks.done + t.tasks.skipped}/${t.tasks.total}`;
}

export function renderTable(s: StatusSnapshot, c: Palette): string {
  const lines: string[] = [];
  const counts = Object.entries(s.counts)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const spend = describeSpend(s.usage);
  lines.push(
    `${c.bold(s.repository)}  target ${s.target}  provider ${s.provider}  ${s.tracks.length} track(s)${counts ? `: ${counts}` : ''}${spend ? `  spent ${spend}` : ''}`,
  );
  if (s.tracks.length === 0) {
    lines.push('No tracks yet. Create one with `ym new-track "<title>"` or `ym plan --from FILE`.');
    return lines.join('\n');
  }
  const rows = s.tracks.map((t) => [
    t.id,
    `${STATE_SYMBOL[t.state]} ${t.state}`,
    progress(t),
    t.attempt > 0 ? `${t.attempt}/${t.maxAttempts}` : '-',
    formatCost(t.usage),
    t.dependsOn.length
      ? t.dependsOn.map((d) => (t.waitingOn.includes(d) ? d : `${d}✓`)).join(',')
      : '-',
    t.title +
      (t.archived ? ' (archived)' : '') +
      (t.worker ? ` [${t.worker}]` : '') +
      (t.reason ? ` — ${t.reason}` : '') +
      (t.planError ? ` — ${t.planError.split('\n')[0]}` : ''),
  ]);
  const header = ['TRACK', 'STATE', 'TASKS', 'TRY', 'COST', 'DEPENDS ON', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const pad = (cell: string, i: number) =>
    cell + ' '.repeat(Math.max(0, widths[i]! - [...cell].length));
  lines.push(c.dim(header.map((h, i) => (i === header.length - 1 ? h : pad(h, i))).join('  ')));
  s.tracks.forEach((t, n) => {
    const r = rows[n]!;
    const cells = r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, i)));
    cells[1] = stateColor(c, t.state)(cells[1]!);
    lines.push(cells.join('  '));
  });
  if (s.queue.length)
    lines.push(
      '',
      `merge queue: ${s.queue.map((q) => q.trackId + (q.step ? ` (${q.step})` : '')).join(' -> ')}`,
    );
  return lines.join('\n');
}
