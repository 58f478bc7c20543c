// Entry point of the compiled CLI: parse argv, run the command, return its exit code.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { ExitCode } from '../core/errors.js';
import type { RunnerEnv } from './runner.js';

export async function main(argv: readonly string[], io?: Partial<RunnerEnv>): Promise<number> {
  const env: RunnerEnv = {
    env: io?.env ?? process.env,
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    stdinIsTTY: io?.stdinIsTTY ?? process.stdin.isTTY === true,
    ...(io?.run ? { run: io.run } : {}),
  };
  const state = { code: ExitCode.ok as number };
  const program = buildProgram(env, (code) => (state.code = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; every other parse error is bad usage.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    throw err;
  }
  return state.code;
}
