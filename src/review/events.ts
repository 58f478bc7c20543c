// What a review reads from a track's events: its latest `checks.finished` (by whom: an attempt,
// the merge queue, `ym validate`) and the usage its agents reported (`agent.usage`, one per
// attempt that reported any). Parsed leniently: state.db may hold events of another version.
import { z } from 'zod';
import type { EventRow } from '../state/rows.js';

export interface ReviewCheck {
  name: string;
  kind: string | null;
  status: string;
  level: string | null;
  message: string | null;
}

export interface ReviewChecks {
  at: string;
  /** The commit they ran on, when recorded. */
  headSha: string | null;
  /** Whether that is the head under review (false: the branch moved since). */
  current: boolean | null;
  /** `attempt` (implement), `merge` (the queue), `revert`, or `validate`. */
  during: string;
  ok: boolean | null;
  results: ReviewCheck[];
}

export interface UsageEntry {
  runId: number | null;
  attempt: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheTokens: number | null;
  costUsd: number | null;
}

export interface ReviewUsage {
  attempts: UsageEntry[];
  total: { inputTokens: number; outputTokens: number; cacheTokens: number; costUsd: number | null };
}

const num = z.number().finite().nullable().optional();
const ChecksFinished = z.object({
  ok: z.boolean().optional(),
  headSha: z.string().optional(),
  during: z.string().optional(),
  results: z.array(
    z.object({
      name: z.string(),
      kind: z.string().optional(),
      status: z.string(),
      level: z.string().optional(),
      message: z.string().optional(),
    }),
  ),
});
const Usage = z.object({
  inputTokens: num,
  outputTokens: num,
  cacheTokens: num,
  cacheReadTokens: num,
  costUsd: num,
  tokens: z.object({ input: num, output: num, cache: num }).optional(),
});

/** The latest `checks.finished` of the track, or null when its checks never ran. */
export function latestChecks(
  events: readonly EventRow[],
  head: string | null,
): ReviewChecks | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.type !== 'checks.finished') continue;
    const parsed = ChecksFinished.safeParse(e.data);
    if (!parsed.success) continue;
    const d = parsed.data;
    return {
      at: e.at,
      headSha: d.headSha ?? null,
      current: d.headSha === undefined || head === null ? null : d.headSha === head,
      during: d.during ?? (e.runId === null ? 'validate' : 'attempt'),
      ok: d.ok ?? null,
      results: d.results.map((r) => ({
        name: r.name,
        kind: r.kind ?? null,
        status: r.status,
        level: r.level ?? null,
        message: r.message ?? null,
      })),
    };
  }
  return null;
}

/** Usage per reporting attempt and in total; null when no agent reported any. */
export function usageOf(
  events: readonly EventRow[],
  attemptOf: (runId: number) => number | null,
): ReviewUsage | null {
  const attempts: UsageEntry[] = [];
  for (const e of events) {
    if (e.type !== 'agent.usage') continue;
    const parsed = Usage.safeParse(e.data);
    if (!parsed.success) continue;
    const d = parsed.data;
    attempts.push({
      runId: e.runId,
      attempt: e.runId === null ? null : attemptOf(e.runId),
      inputTokens: d.inputTokens ?? d.tokens?.input ?? null,
      outputTokens: d.outputTokens ?? d.tokens?.output ?? null,
      cacheTokens: d.cacheTokens ?? d.cacheReadTokens ?? d.tokens?.cache ?? null,
      costUsd: d.costUsd ?? null,
    });
  }
  if (attempts.length === 0) return null;
  const sum = (k: 'inputTokens' | 'outputTokens' | 'cacheTokens') =>
    attempts.reduce((s, a) => s + (a[k] ?? 0), 0);
  const costs = attempts.map((a) => a.costUsd).filter((c): c is number => c !== null);
  return {
    attempts,
    total: {
      inputTokens: sum('inputTokens'),
      outputTokens: sum('outputTokens'),
      cacheTokens: sum('cacheTokens'),
      costUsd: costs.length === 0 ? null : Math.round(costs.reduce((s, c) => s + c, 0) * 1e6) / 1e6,
    },
  };
}
