// Typed errors. Each carries the exit code and a user-facing message; the CLI runner
// (src/cli/runner.ts) is the only place that turns them into output and an exit code.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface YmErrorOptions {
  /** How to fix it, printed on its own line after the message. */
  hint?: string;
  cause?: unknown;
}

/** Base class: anything thrown as a YmError is printed as one clear message, no stack. */
export class YmError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCodeValue, options: YmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** Bad usage, config or input: exit 2, nothing written. */
export class UsageError extends YmError {
  constructor(message: string, options: YmErrorOptions = {}) {
    super(message, ExitCode.usage, options);
  }
}

/** The work itself failed (an agent, a check, a merge): exit 1. */
export class WorkFailedError extends YmError {
  constructor(message: string, options: YmErrorOptions = {}) {
    super(message, ExitCode.failed, options);
  }
}

/** The user interrupted (Ctrl-C): exit 130. */
export class InterruptedError extends YmError {
  constructor(message = 'interrupted', options: YmErrorOptions = {}) {
    super(message, ExitCode.interrupted, options);
  }
}

/** A command that exists in the contract but whose capability has not landed yet. */
export class NotAvailableError extends UsageError {
  constructor(command: string) {
    super(`\`${command}\` is not available yet in this version of yardmaster.`, {
      hint: 'See README.md for the commands that work today.',
    });
  }
}
