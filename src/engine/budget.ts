// The budget as one implement applies it: it keeps what each track's earlier attempts spent
// (state.db) and what this run's attempts spend as their usage streams in, asks the decision
// (src/flow/budget.ts) at every change, and acts on it: a run over its ceiling aborts the
// run-wide signal (every agent is interrupted as by Ctrl-C, nothing new starts); a track over
// its own aborts that track's attempt, which the track loop then fails with reason `budget`.
import type { Usage } from '../agents/adapters/types.js';
import { usagePerRun } from '../core/usage.js';
import {
  addSpend,
  decideBudget,
  hasLimits,
  NO_SPEND,
  spendOf,
  type BudgetDecision,
  type BudgetLimits,
  type Overrun,
  type Spend,
} from '../flow/budget.js';
import type { StateStore } from '../state/store.js';

export class RunBudget {
  /** What each track spent before this run (its earlier runs' usage). */
  private readonly before = new Map<string, Spend>();
  /** This run's attempts: the latest usage of each, by run id. */
  private readonly live = new Map<number, { trackId: string; usage: Usage }>();
  private readonly trackStops = new Map<string, AbortController>();
  private readonly tracksOver = new Map<string, Overrun>();
  runOver: Overrun | null = null;

  constructor(
    readonly limits: BudgetLimits,
    store: StateStore,
    /** Aborted when the run's ceiling is reached: the run's signal. */
    private readonly stopRun: AbortController,
  ) {
    if (!hasLimits(limits)) return;
    const byTrack = new Map<string, Usage[]>();
    for (const r of usagePerRun(store.listUsageEvents())) {
      if (r.trackId !== null) byTrack.set(r.trackId, [...(byTrack.get(r.trackId) ?? []), r]);
    }
    for (const [id, list] of byTrack) this.before.set(id, spendOf(list));
  }

  /** The run's known spend so far. */
  runSpend(): Spend {
    return spendOf([...this.live.values()].map((l) => l.usage));
  }

  trackSpend(trackId: string): Spend {
    const now = spendOf(
      [...this.live.values()].filter((l) => l.trackId === trackId).map((l) => l.usage),
    );
    return addSpend(this.before.get(trackId) ?? NO_SPEND, now);
  }

  /** The decision for a track now (before it starts an attempt). Acts on a run overrun. */
  check(trackId: string): BudgetDecision {
    if (!hasLimits(this.limits)) return { kind: 'ok' };
    const d = decideBudget({
      track: this.trackSpend(trackId),
      run: this.runSpend(),
      limits: this.limits,
    });
    if (d.kind === 'run-over' && !this.runOver) {
      this.runOver = { limit: d.limit, spent: d.spent, max: d.max };
      this.stopRun.abort();
    } else if (d.kind === 'track-over' && !this.tracksOver.has(trackId)) {
      this.tracksOver.set(trackId, { limit: d.limit, spent: d.spent, max: d.max });
      this.trackStops.get(trackId)?.abort();
    }
    return d;
  }

  /** A running attempt's usage so far (totals of that run). */
  update(trackId: string, runId: number, usage: Usage): void {
    this.live.set(runId, { trackId, usage });
    this.check(trackId);
  }

  /** Aborted when this track reaches its ceiling: its attempt's agent stops. */
  trackSignal(trackId: string): AbortSignal {
    let c = this.trackStops.get(trackId);
    if (!c) {
      c = new AbortController();
      if (this.tracksOver.has(trackId)) c.abort();
      this.trackStops.set(trackId, c);
    }
    return c.signal;
  }

  trackOver(trackId: string): Overrun | null {
    return this.tracksOver.get(trackId) ?? null;
  }
}
