// Glue between commander and the runner: collects global options and hands the action a context.
import type { Command } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import type { ExitCodeValue } from '../core/errors.js';
import { runAction, type RunnerEnv } from './runner.js';

export type CommandRunner = (
  cmd: Command,
  action: (ctx: Context) => Promise<ExitCodeValue | void>,
) => Promise<void>;

export function makeCommandRunner(io: RunnerEnv, setExitCode: (code: number) => void): CommandRunner {
  return async (cmd, action) => {
    const all = cmd.optsWithGlobals<Record<string, unknown>>();
    const opts: GlobalOptions = {
      cwd: typeof all.cwd === 'string' ? all.cwd : process.cwd(),
      json: all.json === true,
      debug: all.debug === true,
      yes: all.yes === true,
    };
    setExitCode(await runAction(opts, io, action));
  };
}

/** Commander collector for repeatable options (`--depends-on a --depends-on b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
