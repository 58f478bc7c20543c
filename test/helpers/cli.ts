// Runs the BUILT CLI (`bin/yardmaster.js` -> dist/) as a subprocess, as a user would. Build first
// (`npm run build`; `npm test` does it in pretest). The child gets NO_COLOR=1, CI=true (so no
// prompts and no live view), no inherited GIT_* or YM_* variables, GIT_CONFIG_NOSYSTEM=1 and a fresh
// empty HOME, so neither the user's global git config nor anything else outside the test is used.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedEnv } from './repo.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_BIN = path.join(REPO_ROOT, 'bin', 'yardmaster.js');

export interface CliResult {
  /** Exit code; null when killed by a signal (then `signal` says which). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Working directory of the process (default: a fresh empty temp dir). Use `--cwd` to target a repo. */
  cwd?: string;
  /** Extra variables over the isolated environment; `undefined` removes one (e.g. `{ CI: undefined }`). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (stdin is always closed, so nothing waits on it). */
  input?: string;
  /** Kill the process after this long (default 30 s) and fail with its output. */
  timeoutMs?: number;
}

/** Throws when dist/ is missing, with the command that fixes it. */
export function assertBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests.');
  }
}

export async function runCli(
  args: readonly string[],
  opts: RunCliOptions = {},
): Promise<CliResult> {
  assertBuilt();
  const scratch = mkdtempSync(path.join(tmpdir(), 'ym-cli-'));
  const home = path.join(scratch, 'home');
  mkdirSync(home);
  try {
    const env = isolatedEnv(home, {
      NO_COLOR: '1',
      CI: 'true',
      FORCE_COLOR: undefined,
      ...opts.env,
    });
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: opts.cwd ?? scratch,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdin.on('error', () => undefined); // the CLI may exit before reading its input
    child.stdin.end(opts.input ?? '');
    const timeoutMs = opts.timeoutMs ?? 30_000;
    return await new Promise<CliResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `ym ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        );
      }, timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
