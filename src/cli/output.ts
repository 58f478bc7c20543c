// Where a command's words go: results on stdout, diagnostics on stderr, colour only when wanted.

export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal size, when the stream is a terminal. */
  columns?: number;
  rows?: number;
}

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const code = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain = (s: string) => s;

export function palette(enabled: boolean): Palette {
  return enabled
    ? {
        bold: code(1, 22),
        dim: code(2, 22),
        red: code(31, 39),
        green: code(32, 39),
        yellow: code(33, 39),
        blue: code(34, 39),
        cyan: code(36, 39),
        magenta: code(35, 39),
      }
    : {
        bold: plain,
        dim: plain,
        red: plain,
        green: plain,
        yellow: plain,
        blue: plain,
        cyan: plain,
        magenta: plain,
      };
}

/** NO_COLOR (any value) wins, then FORCE_COLOR, then whether stdout is a terminal. */
export function colorEnabled(env: NodeJS.ProcessEnv, stream: Writer): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export class Output {
  readonly c: Palette;
  constructor(
    readonly stdout: Writer,
    readonly stderr: Writer,
    readonly color: boolean,
  ) {
    this.c = palette(color);
  }
  /** A line of the command's result. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }
  /** The one JSON document a `--json` command prints. */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
  /** Progress and notes: stderr, so stdout stays machine-readable. */
  info(text: string): void {
    this.stderr.write(`${text}\n`);
  }
  warn(text: string): void {
    this.stderr.write(`${this.c.yellow('warning:')} ${text}\n`);
  }
  error(text: string): void {
    this.stderr.write(`${this.c.red('error:')} ${text}\n`);
  }
}
