// Time budgets for waiting on a forge: the poll interval, the fail-fast limit for a required
// check that never starts, and the overall limit. Waiting stops at once on Ctrl-C.
import { systemClock, type Clock } from '../core/clock.js';
import { InterruptedError } from '../core/errors.js';
import { sleep } from '../runtime/sleep.js';

export interface WaitConfig {
  pollIntervalSec: number;
  checkStartTimeoutSec: number;
  checksTimeoutSec: number;
}

export class WaitClock {
  private readonly started: number;
  readonly pollMs: number;
  readonly startLimitMs: number;
  readonly totalLimitMs: number;

  constructor(
    cfg: WaitConfig,
    private readonly signal: AbortSignal,
    private readonly clock: Clock = systemClock,
  ) {
    this.started = clock.now().getTime();
    this.pollMs = Math.round(cfg.pollIntervalSec * 1000);
    this.startLimitMs = Math.round(cfg.checkStartTimeoutSec * 1000);
    this.totalLimitMs = Math.round(cfg.checksTimeoutSec * 1000);
  }

  elapsedMs(): number {
    return this.clock.now().getTime() - this.started;
  }

  /** True once nothing that has not started yet may still be waited for. */
  startExpired(): boolean {
    return this.elapsedMs() >= this.startLimitMs;
  }

  expired(): boolean {
    return this.elapsedMs() >= this.totalLimitMs;
  }

  /** Sleeps one poll interval; throws InterruptedError when the run was interrupted. */
  async tick(): Promise<void> {
    this.check();
    await sleep(this.pollMs, this.signal);
    this.check();
  }

  check(): void {
    if (this.signal.aborted) throw new InterruptedError('interrupted while waiting for the forge');
  }
}

export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
