// Usage as recorded in state.db, folded: the latest record of each run (`agent.usage` once its
// agent exited, `agent.usage.live` while it ran), summed per track and per run of implement.
// Pure: no I/O. A figure no run knows stays null (unknown), never a made-up zero.
import type { CostSource, Usage } from '../agents/adapters/types.js';

/** The run's usage once its agent exited (merged with $YM_USAGE_FILE, cost estimated). */
export const USAGE_EVENT = 'agent.usage';
/** The run's usage so far while its agent runs (at most every ~2 s, and when the session id is known). */
export const USAGE_LIVE_EVENT = 'agent.usage.live';

export interface RunUsage extends Usage {
  runId: number;
  trackId: string | null;
  attempt: number | null;
  /** False when the agent did not get to exit on its own watch (a kill -9 of implement): the last live record. */
  final: boolean;
}

export interface UsageTotals {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costUsd: number | null;
  /** `reported` when every priced run was, `estimated` when any was estimated, null when no cost is known. */
  costSource: CostSource | null;
  /** Runs with usage whose cost is unknown: `costUsd` is then a lower bound. */
  unpricedRuns: number;
  /** Runs that reported any usage. */
  runs: number;
}

/** The numeric figures of a usage record (the adapters count them, this module sums them). */
export const USAGE_FIGURES = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'costUsd',
] as const;

/** The usage in an event's data, or null when it holds none (a record from another version). */
export function usageFromEventData(data: unknown): Usage | null {
  if (data === null || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  const u: Usage = { costSource: null };
  for (const k of USAGE_FIGURES) {
    const v = d[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) u[k] = v;
  }
  if (u.costUsd !== undefined)
    u.costSource = d.costSource === 'estimated' ? 'estimated' : 'reported';
  if (typeof d.sessionId === 'string' && d.sessionId) u.sessionId = d.sessionId;
  if (typeof d.model === 'string' && d.model) u.model = d.model;
  return knowsAnything(u) ? u : null;
}

export function knowsAnything(u: Usage): boolean {
  return (
    USAGE_FIGURES.some((k) => u[k] !== undefined) ||
    u.sessionId !== undefined ||
    u.model !== undefined
  );
}

export interface UsageEventRow {
  type: string;
  runId: number | null;
  trackId: string | null;
  data: unknown;
  attempt?: number | null;
}

/** The latest usage of each run, in run order: a final record wins over live ones. */
export function usagePerRun(events: readonly UsageEventRow[]): RunUsage[] {
  const byRun = new Map<number, RunUsage>();
  for (const e of events) {
    if (e.runId === null || (e.type !== USAGE_EVENT && e.type !== USAGE_LIVE_EVENT)) continue;
    const final = e.type === USAGE_EVENT;
    if (!final && byRun.get(e.runId)?.final) continue;
    const usage = usageFromEventData(e.data);
    if (!usage) continue;
    byRun.set(e.runId, {
      ...usage,
      runId: e.runId,
      trackId: e.trackId,
      attempt: e.attempt ?? null,
      final,
    });
  }
  return [...byRun.values()].sort((a, b) => a.runId - b.runId);
}

export function sumUsage(runs: readonly Usage[]): UsageTotals {
  const total: UsageTotals = {
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    costUsd: null,
    costSource: null,
    unpricedRuns: 0,
    runs: 0,
  };
  for (const u of runs) {
    if (!knowsAnything(u)) continue;
    total.runs++;
    for (const k of USAGE_FIGURES) {
      const v = u[k];
      if (v !== undefined) total[k] = (total[k] ?? 0) + v;
    }
    if (u.costUsd === undefined) total.unpricedRuns++;
    else if (u.costSource === 'estimated' || total.costSource === 'estimated')
      total.costSource = 'estimated';
    else total.costSource = 'reported';
  }
  // Dollars kept to 9 decimals (no float dust in sums).
  if (total.costUsd !== null) total.costUsd = Math.round(total.costUsd * 1e9) / 1e9;
  return total;
}

/** Tokens a budget counts: input (cache included) plus output; null when neither is known. */
export function tokensOf(u: {
  inputTokens?: number | null | undefined;
  outputTokens?: number | null | undefined;
}): number | null {
  if ((u.inputTokens ?? null) === null && (u.outputTokens ?? null) === null) return null;
  return (u.inputTokens ?? 0) + (u.outputTokens ?? 0);
}

/** `$1.23` (or `~$1.23` for an estimate, `≥` when some runs are unpriced); `-` when unknown. */
export function formatCost(
  t: Pick<UsageTotals, 'costUsd' | 'costSource' | 'unpricedRuns'>,
): string {
  if (t.costUsd === null) return '-';
  const digits = t.costUsd < 0.01 && t.costUsd > 0 ? 4 : 2;
  return `${t.unpricedRuns > 0 ? '≥' : ''}${t.costSource === 'estimated' ? '~' : ''}$${t.costUsd.toFixed(digits)}`;
}

/** `12.3k`, `1.2M`; `-` when unknown. */
export function formatTokens(n: number | null): string {
  if (n === null) return '-';
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** One attempt's (one run's) usage as status shows it: every field present, null when unknown. */
export interface AttemptUsage {
  runId: number;
  attempt: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  costUsd: number | null;
  costSource: CostSource | null;
  sessionId: string | null;
  model: string | null;
  /** False: the last live record of an agent that was killed with implement (kill -9). */
  final: boolean;
}

export interface TrackUsage extends UsageTotals {
  perAttempt: AttemptUsage[];
}

export function attemptUsage(r: RunUsage): AttemptUsage {
  return {
    runId: r.runId,
    attempt: r.attempt,
    inputTokens: r.inputTokens ?? null,
    outputTokens: r.outputTokens ?? null,
    cacheReadTokens: r.cacheReadTokens ?? null,
    cacheWriteTokens: r.cacheWriteTokens ?? null,
    costUsd: r.costUsd ?? null,
    costSource: r.costSource,
    sessionId: r.sessionId ?? null,
    model: r.model ?? null,
    final: r.final,
  };
}

/** Per track (by id): its totals and its attempts' usage. */
export function usageByTrack(runs: readonly RunUsage[]): Map<string, TrackUsage> {
  const grouped = new Map<string, RunUsage[]>();
  for (const r of runs) {
    if (r.trackId === null) continue;
    grouped.set(r.trackId, [...(grouped.get(r.trackId) ?? []), r]);
  }
  return new Map(
    [...grouped].map(([id, list]) => [
      id,
      { ...sumUsage(list), perAttempt: list.map(attemptUsage) },
    ]),
  );
}

export function noUsage(): TrackUsage {
  return { ...sumUsage([]), perAttempt: [] };
}
