// The one process runner. Every external program (git, agents, checks) starts here, with an
// argv array and never a shell string built from input. Failures carry command, args, exit
// code and stderr so the CLI can say exactly what went wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { YmError, ExitCode } from '../core/errors.js';

export interface RunOptions {
  cwd?: string;
  /** Extra environment; merged over process.env unless `extendEnv` is false. */
  env?: Record<string, string | undefined>;
  extendEnv?: boolean;
  input?: string;
  /** Kill the process (and its group when `detached`) after this long. */
  timeoutMs?: number;
  /** Throw ProcessError on a non-zero exit (default true). */
  reject?: boolean;
  signal?: AbortSignal;
  /** Run in its own process group, so a timeout or abort kills every child too. */
  detached?: boolean;
  /** Cap on captured output per stream, in bytes (default 64 MiB). */
  maxBuffer?: number;
  /** Run `file` through the shell (only for a user's own command strings, never for input). */
  shell?: boolean;
  /** Keep the last `maxBuffer` bytes of each stream instead of the first (for long logs). */
  keepTail?: boolean;
  /** Every chunk as it arrives (e.g. to stream into a log file). */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** Called once the process has started, with its pid (e.g. to record a lease). */
  onSpawn?: (pid: number) => void;
  /** Give the process this one's stdout and stderr (a pager on the terminal); nothing is captured. */
  inheritOutput?: boolean;
}

export interface RunResult {
  command: string;
  args: readonly string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export type ProcessRunner = (
  file: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<RunResult>;

/** A process that could not start or exited non-zero. */
export class ProcessError extends YmError {
  readonly command: string;
  readonly args: readonly string[];
  readonly result: RunResult | undefined;
  readonly notFound: boolean;
  constructor(
    message: string,
    command: string,
    args: readonly string[],
    result?: RunResult,
    options: { notFound?: boolean; cause?: unknown } = {},
  ) {
    super(message, ExitCode.failed, { cause: options.cause });
    this.command = command;
    this.args = args;
    this.result = result;
    this.notFound = options.notFound ?? false;
  }
  get exitCodeOfProcess(): number | null {
    return this.result?.exitCode ?? null;
  }
  get stderr(): string {
    return this.result?.stderr ?? '';
  }
}

export function describeCommand(file: string, args: readonly string[]): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : JSON.stringify(s));
  return [file, ...args].map(quote).join(' ');
}

/** Grace period between SIGTERM and SIGKILL when a process must stop. */
export const KILL_GRACE_MS = 2000;

/** Sends `signal` to the process, or to its whole group when it leads one. */
export function killTree(pid: number, signal: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, signal);
  } catch {
    // Already gone.
  }
}

// Leaders of the process groups started with `detached`, so a forced exit can take them along.
const liveGroups = new Set<number>();

/** Kills every detached process group still running (the second Ctrl-C, a fatal error). */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): number {
  for (const pid of liveGroups) killTree(pid, signal, true);
  return liveGroups.size;
}

/** True when a process (or, with `group`, any process of its group) still exists. */
export function isAlive(pid: number, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent has not reaped it yet (a zombie) still answers signal 0.
  if (!group && process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  return true;
}

// Built on node:child_process rather than execa: importing execa costs ~55 ms, a third of the
// start-up budget of `status --json`, and what we need (argv, own process group, a timeout
// that kills the group, bounded capture, typed errors) fits here.
export const runProcess: ProcessRunner = (file, args, options = {}) =>
  new Promise<RunResult>((resolve, reject) => {
    // A duration, not a time of day: the monotonic clock.
    const started = performance.now();
    const detached = options.detached ?? false;
    const maxBuffer = options.maxBuffer ?? 64 * 1024 * 1024;
    const env =
      options.extendEnv === false
        ? dropUndefined(options.env ?? {})
        : dropUndefined({ ...process.env, ...options.env });
    let child: ChildProcess;
    try {
      child = spawn(file, [...args], {
        cwd: options.cwd,
        env,
        detached,
        shell: options.shell ?? false,
        stdio: options.inheritOutput
          ? [options.input === undefined ? 'ignore' : 'pipe', 'inherit', 'inherit']
          : [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      reject(
        new ProcessError(
          `could not start ${file}: ${(err as Error).message}`,
          file,
          args,
          undefined,
          { cause: err },
        ),
      );
      return;
    }
    const keepTail = options.keepTail ?? false;
    const out = new Capture(maxBuffer, keepTail);
    const errOut = new Capture(maxBuffer, keepTail);
    const onOutput = options.onOutput;
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b);
      onOutput?.(b, 'stdout');
    });
    child.stderr?.on('data', (b: Buffer) => {
      errOut.push(b);
      onOutput?.(b, 'stderr');
    });
    if (child.pid !== undefined) {
      if (detached) liveGroups.add(child.pid);
      options.onSpawn?.(child.pid);
    }
    if (options.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined); // the process may exit without reading it
      child.stdin.end(options.input);
    }
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.pid === undefined || child.exitCode !== null) return;
      killTree(child.pid, 'SIGTERM', detached);
      killTimer ??= setTimeout(
        () => child.pid !== undefined && killTree(child.pid, 'SIGKILL', detached),
        KILL_GRACE_MS,
      );
      killTimer.unref();
    };
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // A signal aborted before the spawn fires no event: stop at once.
    if (options.signal?.aborted) stop();
    // When the leader of a detached group exits, whatever it left running in its group is an
    // orphan by definition (a backgrounded server, a forked helper): end it, so the pipes
    // close and nothing outlives the command.
    child.on('exit', () => {
      if (detached && child.pid !== undefined) killTree(child.pid, 'SIGKILL', true);
    });
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      options.signal?.removeEventListener('abort', onAbort);
      // A detached group may outlive its leader (children still holding the pipes closed now):
      // make sure nothing of it survives a timeout or an abort.
      if ((timedOut || options.signal?.aborted) && detached && child.pid !== undefined) {
        killTree(child.pid, 'SIGKILL', true);
      }
      if (killTimer) clearTimeout(killTimer);
      const result: RunResult = {
        command: file,
        args,
        exitCode: code,
        signal: signal ?? null,
        stdout: out.text(),
        stderr: errOut.text(),
        timedOut,
        durationMs: Math.round(performance.now() - started),
      };
      if (spawnError?.code === 'ENOENT') {
        reject(
          new ProcessError(`command not found: ${file}`, file, args, result, {
            notFound: true,
            cause: spawnError,
          }),
        );
        return;
      }
      if (spawnError) {
        reject(
          new ProcessError(`could not start ${file}: ${spawnError.message}`, file, args, result, {
            cause: spawnError,
          }),
        );
        return;
      }
      if ((options.reject ?? true) && (result.exitCode !== 0 || result.timedOut)) {
        const how = result.timedOut
          ? `timed out after ${options.timeoutMs} ms`
          : result.exitCode === null
            ? `was killed by ${result.signal ?? 'a signal'}`
            : `exited with code ${result.exitCode}`;
        const detail = result.stderr.trim().split('\n').slice(-5).join('\n');
        reject(
          new ProcessError(
            `\`${describeCommand(file, args)}\` ${how}${detail ? `:\n${detail}` : ''}`,
            file,
            args,
            result,
          ),
        );
        return;
      }
      resolve(result);
    });
  });

function dropUndefined(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Keeps at most `max` bytes of a stream (its head, or its tail) and how much was dropped. */
class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;
  constructor(
    private readonly max: number,
    private readonly keepTail: boolean,
  ) {}
  push(b: Buffer): void {
    if (this.keepTail) {
      this.chunks.push(b);
      this.size += b.length;
      while (this.size > this.max && this.chunks.length > 0) {
        const first = this.chunks[0]!;
        const excess = this.size - this.max;
        if (first.length <= excess) {
          this.chunks.shift();
          this.size -= first.length;
          this.dropped += first.length;
        } else {
          this.chunks[0] = first.subarray(excess);
          this.size -= excess;
          this.dropped += excess;
        }
      }
      return;
    }
    const room = this.max - this.size;
    if (room <= 0) {
      this.dropped += b.length;
      return;
    }
    const part = b.length > room ? b.subarray(0, room) : b;
    this.chunks.push(part);
    this.size += part.length;
    this.dropped += b.length - part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks).toString('utf8');
    if (!this.dropped) return s;
    const note = `[... ${this.dropped} bytes not kept]`;
    return this.keepTail ? `${note}\n${s}` : `${s}\n${note}\n`;
  }
}
