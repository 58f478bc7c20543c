// Glue between commander and the runner: collects global options and hands the action a context.
import { InvalidArgumentError, type Command } from 'commander';
import type { Context, GlobalOptions } from '../context.js';
import type { ExitCodeValue } from '../core/errors.js';
import { runAction, type RunnerEnv } from './runner.js';

export type CommandRunner = (
  cmd: Command,
  action: (ctx: Context) => Promise<ExitCodeValue | void>,
) => Promise<void>;

export function makeCommandRunner(
  io: RunnerEnv,
  setExitCode: (code: number) => void,
): CommandRunner {
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

/**
 * Commander parser for an integer option within bounds: a bad value fails while parsing argv,
 * before anything runs, with commander's message naming the option and the value given.
 */
export function intInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`It must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}
