// The one runner around every command: builds the context, runs the action, maps errors to
// exit codes and one clear message, and always runs cleanup. Nothing below calls process.exit.
import path from 'node:path';
import { ExitCode, InterruptedError, YmError, type ExitCodeValue } from '../core/errors.js';
import { systemClock, type Context, type GlobalOptions } from '../context.js';
import { killAllChildren, runProcess, ProcessError, type ProcessRunner } from '../proc/run.js';
import { discoverRepo, type Repo } from '../git/repo.js';
import type { LoadedConfig } from '../config/load.js';
import type { StateStore } from '../state/store.js';
import { Output, colorEnabled, type Writer } from './output.js';
import { isCI } from '../core/env.js';

export interface RunnerEnv {
  env: NodeJS.ProcessEnv;
  stdout: Writer;
  stderr: Writer;
  stdinIsTTY: boolean;
  run?: ProcessRunner;
}

export type Action = (ctx: Context) => Promise<ExitCodeValue | void>;

export function createContext(opts: GlobalOptions, io: RunnerEnv, signal: AbortSignal) {
  const cleanups: (() => void | Promise<void>)[] = [];
  const out = new Output(io.stdout, io.stderr, colorEnabled(io.env, io.stdout));
  const run = io.run ?? runProcess;
  let repo: Promise<Repo> | undefined;
  let config: Promise<LoadedConfig> | undefined;
  let state: Promise<StateStore> | undefined;
  const ctx: Context = {
    ...opts,
    env: io.env,
    out,
    clock: systemClock,
    run,
    signal,
    interactive: io.stdinIsTTY && io.stdout.isTTY === true && !isCI(io.env) && !opts.json,
    repo: () => (repo ??= discoverRepo(opts.cwd, run)),
    // Modules load while git answers: the imports start at once, not after discovery.
    config: () =>
      (config ??= Promise.all([ctx.repo(), import('../config/cached.js')]).then(([r, m]) =>
        m.loadConfigCached(r.root, r.stateDir),
      )),
    state: () =>
      (state ??= Promise.all([ctx.repo(), import('../state/open.js')]).then(([r, m]) => {
        const store = m.openStateStore(r.stateDir, ctx.clock);
        cleanups.push(() => store.close());
        return store;
      })),
    defer: (fn) => cleanups.push(fn),
  };
  return { ctx, cleanups };
}

/** Runs one action with the full error contract; returns the exit code. */
export async function runAction(
  opts: GlobalOptions,
  io: RunnerEnv,
  action: Action,
): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      io.stderr.write('\nInterrupted: stopping (press Ctrl-C again to force).\n');
      controller.abort(new InterruptedError());
    } else {
      // The second Ctrl-C forces, as users of every long-running CLI expect; the agents' and
      // checks' process groups do not get the terminal's SIGINT, so they are killed here.
      killAllChildren('SIGKILL');
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  const { ctx, cleanups } = createContext(
    { ...opts, cwd: path.resolve(opts.cwd) },
    io,
    controller.signal,
  );
  let code: number = ExitCode.ok;
  try {
    const result = await action(ctx);
    code = result ?? ExitCode.ok;
    if (controller.signal.aborted && code === ExitCode.ok) code = ExitCode.interrupted;
  } catch (err) {
    code = reportError(err, ctx);
  } finally {
    process.off('SIGINT', onSigint);
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        if (opts.debug) ctx.out.error(`cleanup failed: ${String(err)}`);
      }
    }
  }
  return code;
}

export function reportError(err: unknown, ctx: Pick<Context, 'out' | 'debug' | 'json'>): number {
  const { out } = ctx;
  if (err instanceof YmError) {
    out.error(err.message);
    if (err.hint) out.info(`  ${err.hint}`);
    if (err instanceof ProcessError && ctx.debug && err.result) {
      out.info(`  command: ${err.command} ${err.args.join(' ')}`);
      out.info(`  exit code: ${String(err.result.exitCode)}`);
    }
    if (ctx.debug && err.stack) out.info(err.stack);
    if (ctx.json) out.json({ ok: false, error: { message: err.message, exitCode: err.exitCode } });
    return err.exitCode;
  }
  // Not one of ours: a bug. Say so plainly; the stack only with --debug.
  const message = err instanceof Error ? err.message : String(err);
  out.error(`unexpected failure: ${message}`);
  if (ctx.debug && err instanceof Error && err.stack) out.info(err.stack);
  else out.info('  Run again with --debug for details, and please report it.');
  if (ctx.json) out.json({ ok: false, error: { message, exitCode: 1 } });
  return ExitCode.failed;
}
