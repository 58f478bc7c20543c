// One configured check: run in its own process group with its own timeout, every byte of its
// output streamed to the run log, only a bounded tail kept in memory, and its end classified
// (pass, fail, timed out, command not found) in words a user can act on.
import type { ProcessRunner } from '../proc/run.js';
import { ProcessError } from '../proc/run.js';
import { withoutForgeTokens } from '../core/env.js';
import type { CheckSpec } from '../config/schema.js';
import { describeSpec } from '../config/commands.js';
import { OutputTail } from './tail.js';
import type { LogSink } from './log.js';
import type { CheckResult } from './types.js';

export interface CommandCheckOptions {
  cwd: string;
  env: Record<string, string>;
  log: LogSink | null;
  signal?: AbortSignal | undefined;
}

export async function runCommandCheck(
  run: ProcessRunner,
  check: CheckSpec,
  opts: CommandCheckOptions,
): Promise<CheckResult> {
  const started = performance.now();
  const command = describeSpec(check.run);
  const tail = new OutputTail();
  opts.log?.section(`check ${check.name}: ${command}`);
  const [file, args, shell] =
    typeof check.run === 'string'
      ? [check.run, [] as string[], true]
      : [check.run[0] ?? '', check.run.slice(1), false];
  const base = { name: check.name, kind: 'command' as const, level: 'fail' as const, command };
  const finish = (
    r: Omit<CheckResult, 'name' | 'kind' | 'level' | 'durationMs' | 'outputTail' | 'command'>,
  ) => {
    const durationMs = Math.round(performance.now() - started);
    opts.log?.line(
      `\n== ${check.name}: ${r.status}${r.message ? ` (${r.message})` : ''} in ${durationMs} ms`,
    );
    const note = opts.log ? `full output in ${opts.log.file}` : undefined;
    return { ...base, ...r, durationMs, outputTail: tail.text(undefined, note) };
  };
  try {
    const result = await run(file, args, {
      cwd: opts.cwd,
      // Checks run the agent's code (its tests, its scripts): no forge tokens (core/env.ts).
      env: { ...opts.env, ...withoutForgeTokens() },
      shell,
      detached: true,
      timeoutMs: check.timeoutSec * 1000,
      reject: false,
      keepTail: true,
      // The runner's own capture stays small: the tail and the log are kept here.
      maxBuffer: 64 * 1024,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onOutput: (chunk) => {
        tail.push(chunk);
        opts.log?.write(chunk);
      },
    });
    if (result.timedOut) {
      return finish({
        status: 'fail',
        exitCode: result.exitCode,
        timedOut: true,
        message: `timed out after ${check.timeoutSec}s; its process group was killed`,
      });
    }
    if (opts.signal?.aborted)
      return finish({ status: 'error', exitCode: result.exitCode, message: 'interrupted' });
    if (result.exitCode === 0) return finish({ status: 'pass', exitCode: 0 });
    if (result.exitCode === null) {
      return finish({
        status: 'fail',
        exitCode: null,
        message: `killed by ${result.signal ?? 'a signal'}`,
      });
    }
    if (shell && result.exitCode === 127) {
      return finish({
        status: 'error',
        exitCode: 127,
        message: `command not found (the shell exited 127)${shellSaid(tail)}`,
      });
    }
    if (shell && result.exitCode === 126) {
      return finish({
        status: 'error',
        exitCode: 126,
        message: `command not executable (exit 126): ${command}`,
      });
    }
    return finish({
      status: 'fail',
      exitCode: result.exitCode,
      message: `exited with code ${result.exitCode}`,
    });
  } catch (err) {
    if (err instanceof ProcessError && err.notFound) {
      return finish({
        status: 'error',
        exitCode: null,
        message: `command not found: ${file} (is it installed and on PATH?)`,
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    return finish({ status: 'error', exitCode: null, message: `could not run: ${message}` });
  }
}

/** The shell's own complaint ("sh: 1: foo: not found"), which names the missing program. */
function shellSaid(tail: OutputTail): string {
  const last = tail
    .text(5)
    .split('\n')
    .reverse()
    .find((l) => /not found/i.test(l));
  return last ? `: ${last.trim()}` : '';
}
