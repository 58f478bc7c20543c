// The budget decision: given what a track's attempts have spent and what the whole run (one
// `implement`) has spent, against the ceilings in `budget`, may it go on? Pure. A run over its
// ceiling stops everything (interrupted, resumable); a track over its own fails only that track.
// Spend is what is known: an attempt whose cost is unknown adds no dollars (its tokens still count).

export interface Spend {
  usd: number;
  tokens: number;
}

export interface BudgetLimits {
  trackUsd?: number | undefined;
  trackTokens?: number | undefined;
  runUsd?: number | undefined;
  runTokens?: number | undefined;
}

export interface Overrun {
  /** Which ceiling: `runUsd`, `runTokens`, `trackUsd`, `trackTokens`. */
  limit: keyof BudgetLimits;
  spent: number;
  max: number;
}

export type BudgetDecision =
  { kind: 'ok' } | ({ kind: 'run-over' } & Overrun) | ({ kind: 'track-over' } & Overrun);

export const NO_SPEND: Spend = { usd: 0, tokens: 0 };

/** The run's ceilings first (they stop everyone), then the track's; reaching one is over it. */
export function decideBudget(input: {
  track: Spend;
  run: Spend;
  limits: BudgetLimits;
}): BudgetDecision {
  const { track, run, limits } = input;
  const over = (limit: keyof BudgetLimits, spent: number): Overrun | null => {
    const max = limits[limit];
    return max !== undefined && spent >= max ? { limit, spent, max } : null;
  };
  const runOver = over('runUsd', run.usd) ?? over('runTokens', run.tokens);
  if (runOver) return { kind: 'run-over', ...runOver };
  const trackOver = over('trackUsd', track.usd) ?? over('trackTokens', track.tokens);
  if (trackOver) return { kind: 'track-over', ...trackOver };
  return { kind: 'ok' };
}

/** The known spend of some usage records: dollars where a cost is known, input plus output tokens. */
export function spendOf(
  usages: Iterable<{
    costUsd?: number | null | undefined;
    inputTokens?: number | null | undefined;
    outputTokens?: number | null | undefined;
  }>,
): Spend {
  let usd = 0;
  let tokens = 0;
  for (const u of usages) {
    usd += u.costUsd ?? 0;
    tokens += (u.inputTokens ?? 0) + (u.outputTokens ?? 0);
  }
  return { usd: Math.round(usd * 1e9) / 1e9, tokens };
}

export function addSpend(a: Spend, b: Spend): Spend {
  return { usd: Math.round((a.usd + b.usd) * 1e9) / 1e9, tokens: a.tokens + b.tokens };
}

export function hasLimits(limits: BudgetLimits): boolean {
  return Object.values(limits).some((v) => v !== undefined);
}

/** `$4.12 of runUsd $4.00`, `1.2M tokens of trackTokens 1M`. */
export function describeOverrun(o: Overrun): string {
  return o.limit.endsWith('Usd')
    ? `$${o.spent.toFixed(2)} of ${o.limit} $${o.max.toFixed(2)}`
    : `${o.spent} tokens of ${o.limit} ${o.max}`;
}
