// The explicit context every action receives: where it runs, how it prints, how it starts
// processes, and lazy access to the repository, its config and its state. Tests build one
// with fakes instead of mocking modules.
import type { Output } from './cli/output.js';
import type { ProcessRunner } from './proc/run.js';
import type { Repo } from './git/repo.js';
import type { LoadedConfig } from './config/load.js';
import type { StateStore } from './state/store.js';

import type { Clock } from './core/clock.js';

export { systemClock, type Clock } from './core/clock.js';

export interface GlobalOptions {
  cwd: string;
  json: boolean;
  debug: boolean;
  /** `--yes`: accept defaults, no prompts, trust the repository's commands. */
  yes: boolean;
}

export interface Context extends GlobalOptions {
  env: NodeJS.ProcessEnv;
  out: Output;
  clock: Clock;
  run: ProcessRunner;
  /** Aborted on Ctrl-C; long work checks it and stops starting new things. */
  signal: AbortSignal;
  /** Whether prompts and live views are possible: a terminal on both ends and not CI. */
  interactive: boolean;
  repo(): Promise<Repo>;
  config(): Promise<LoadedConfig>;
  state(): Promise<StateStore>;
  /** Register cleanup that the runner runs after the command, whatever happened. */
  defer(fn: () => void | Promise<void>): void;
}
