// Commander wiring: the program, its global options, and one thin file per command.
import { packageVersion } from '../core/package.js';
import { Command } from 'commander';
import type { RunnerEnv } from './runner.js';
import { register as setup } from './commands/setup.js';
import { register as newTrack } from './commands/new-track.js';
import { register as plan } from './commands/plan.js';
import { register as implement } from './commands/implement.js';
import { register as merge } from './commands/merge.js';
import { register as demo } from './commands/demo.js';
import { register as doctor } from './commands/doctor.js';
import { register as status } from './commands/status.js';
import { register as config } from './commands/config.js';
import { register as trust } from './commands/trust.js';
import { register as validate } from './commands/validate.js';
import { register as review } from './commands/review.js';
import { register as approve } from './commands/approve.js';
import { register as reject } from './commands/reject.js';
import { register as hooks } from './commands/hooks.js';
import { register as revert } from './commands/revert.js';
import { register as cancel } from './commands/cancel.js';
import { register as archive } from './commands/archive.js';
import { register as clean } from './commands/clean.js';
import { register as worker } from './commands/worker.js';
import { makeCommandRunner, type CommandRunner } from './command.js';

export function buildProgram(io: RunnerEnv, setExitCode: (code: number) => void): Command {
  const program = new Command('yardmaster')
    .description(
      'Run AI coding agents in parallel, each in its own git worktree; validate every result;\n' +
        'merge validated branches into the target one at a time.',
    )
    .version(packageVersion(), '-V, --version')
    .option('-C, --cwd <dir>', 'run as if started in DIR', process.cwd())
    .option('--debug', 'print stack traces and process details on errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 the work failed, 2 bad usage/config/input, 130 interrupted.\n' +
      'Environment: NO_COLOR disables colour; GITHUB_TOKEN / GITLAB_TOKEN for the forges.',
  );
  const runner: CommandRunner = makeCommandRunner(io, setExitCode);
  for (const register of [
    setup,
    newTrack,
    plan,
    implement,
    worker,
    merge,
    revert,
    cancel,
    archive,
    clean,
    status,
    review,
    approve,
    reject,
    validate,
    hooks,
    demo,
    doctor,
    config,
    trust,
  ]) {
    register(program, runner);
  }
  // Subcommands inherit the exit override and output configuration.
  for (const cmd of program.commands) propagate(cmd, program);
  return program;
}

function propagate(cmd: Command, parent: Command): void {
  cmd.exitOverride();
  cmd.configureOutput(parent.configureOutput());
  cmd.showHelpAfterError('(run with --help for usage)');
  for (const sub of cmd.commands) propagate(sub, cmd);
}
