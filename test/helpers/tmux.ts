// A real terminal for end-to-end tests of the live view: a tmux server on a private socket (never
// the user's), one detached session of a fixed size running a command, screen reads with
// capture-pane and keys with send-keys. kill() removes the server and everything in it.
import { execFileSync, spawnSync } from 'node:child_process';

export function tmuxAvailable(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export interface TmuxStart {
  /** A shell command line (run by tmux through the shell). */
  command: string;
  env: NodeJS.ProcessEnv;
  width?: number;
  height?: number;
}

let counter = 0;

export class TmuxSession {
  readonly socket = `ym-test-${process.pid}-${Date.now()}-${counter++}`;
  readonly target = 'ym:0.0';
  #env: NodeJS.ProcessEnv = {};

  start(opts: TmuxStart): void {
    // The server takes its environment from this first client: no TMUX (we may run inside tmux).
    const env = { ...opts.env };
    delete env.TMUX;
    this.#env = env;
    this.#tmux([
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      'ym',
      '-x',
      String(opts.width ?? 120),
      '-y',
      String(opts.height ?? 40),
      opts.command,
    ]);
  }

  /** The visible screen as text (with `escapes`, including colour and style sequences). */
  capture(escapes = false): string {
    return this.#tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', this.target]);
  }

  /** tmux key names (`Enter`, `Escape`, `Up`) or literal text. */
  sendKeys(...keys: string[]): void {
    this.#tmux(['send-keys', '-t', this.target, ...keys]);
  }

  /** Resizes the window, as a user dragging the terminal would (the program gets SIGWINCH). */
  resize(width: number, height: number): void {
    this.#tmux(['resize-window', '-t', 'ym', '-x', String(width), '-y', String(height)]);
  }

  /** A pane or window property, e.g. `alternate_on`, `cursor_flag`, `pane_dead`. */
  display(format: string): string {
    return this.#tmux(['display-message', '-p', '-t', this.target, format]).trim();
  }

  /** Polls the screen until `test` accepts it; throws with the last screen after `timeoutMs`. */
  async waitFor(
    test: RegExp | ((screen: string) => boolean),
    timeoutMs = 10_000,
    what = String(test),
  ): Promise<string> {
    const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
    const deadline = Date.now() + timeoutMs;
    let screen = '';
    for (;;) {
      screen = this.capture();
      if (ok(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore', env: this.#env });
  }

  #tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      env: this.#env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
}

/** Single-quotes a word for the shell tmux runs the command with. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
