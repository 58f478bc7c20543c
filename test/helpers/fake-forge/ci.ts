// The fake forge's CI: a scripted list of checks whose state advances one step each time the
// code under test looks at a commit. `steps` play in order and the last one repeats, so
// ['queued', 'success'] is "pending once, then green" and ['absent'] is "never starts".
export type Step = 'absent' | 'queued' | 'in_progress' | 'success' | 'failure';

export interface CiCheck {
  name: string;
  /** GitHub: a check run (Actions, apps) or a commit status (external CI). Default check-run. */
  kind?: 'check-run' | 'status';
  steps: Step[];
}

export interface CheckNow {
  check: CiCheck;
  step: Step;
}

export class FakeCi {
  checks: CiCheck[] = [{ name: 'test', steps: ['queued', 'success'] }];
  /** Called once (then cleared), the first time all the checks of some SHA are green. */
  onPassed: ((sha: string) => void) | null = null;
  private readonly looks = new Map<string, number>();
  private readonly passed = new Set<string>();

  /** One more look at `sha`: moves its checks one step on and returns them. */
  advance(sha: string): CheckNow[] {
    const n = (this.looks.get(sha) ?? -1) + 1;
    this.looks.set(sha, n);
    const now = this.at(sha, n);
    if (!this.passed.has(sha) && now.length && now.every((c) => c.step === 'success')) {
      this.passed.add(sha);
      const hook = this.onPassed;
      this.onPassed = null;
      hook?.(sha);
    }
    return now;
  }

  /** The checks of `sha` as of the last look, without moving them. */
  peek(sha: string): CheckNow[] {
    return this.at(sha, Math.max(0, this.looks.get(sha) ?? 0));
  }

  /** How many times the checks of `sha` were looked at. */
  lookCount(sha: string): number {
    return (this.looks.get(sha) ?? -1) + 1;
  }

  private at(sha: string, n: number): CheckNow[] {
    return this.checks.map((check) => ({
      check,
      step: check.steps[Math.min(n, check.steps.length - 1)] ?? 'absent',
    }));
  }
}

/** GitLab's view: one pipeline summarising every check, or none when nothing started. */
export function pipelineStatus(
  now: CheckNow[],
): 'none' | 'running' | 'pending' | 'success' | 'failed' {
  const steps = now.map((c) => c.step).filter((s) => s !== 'absent');
  if (!steps.length) return 'none';
  if (steps.includes('failure')) return 'failed';
  if (steps.includes('in_progress')) return 'running';
  if (steps.includes('queued') || steps.length < now.length) return 'pending';
  return 'success';
}
