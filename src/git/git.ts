// Thin helpers over the process runner for git: argv arrays only, output trimmed.
import type { ProcessRunner, RunOptions } from '../proc/run.js';

export interface Git {
  /** Run git and return stdout without the trailing newline; throws ProcessError on failure. */
  (args: readonly string[], options?: RunOptions): Promise<string>;
  /** Run git and return whether it exited 0 (for questions like "does this ref exist"). */
  ok(args: readonly string[], options?: RunOptions): Promise<boolean>;
  readonly cwd: string;
}

export function createGit(run: ProcessRunner, cwd: string): Git {
  const git = async (args: readonly string[], options: RunOptions = {}) => {
    const r = await run('git', args, { cwd, ...options });
    return r.stdout.replace(/\n$/, '');
  };
  const ok = async (args: readonly string[], options: RunOptions = {}) => {
    const r = await run('git', args, { cwd, ...options, reject: false });
    return r.exitCode === 0;
  };
  return Object.assign(git, { ok, cwd });
}
