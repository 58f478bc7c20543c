import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  const hooks = program
    .command('hooks')
    .description(
      'install or uninstall the git hooks (pre-push: built-in checks; commit-msg: track trailer)',
    );
  hooks
    .command('install')
    .description(
      'install pre-push and commit-msg (respects core.hooksPath; existing hooks are kept and chained)',
    )
    .option('--json', 'print what was done as JSON', false)
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import('../../hooks/install.js')).installHooksAction(ctx)),
    );
  hooks
    .command('uninstall')
    .description("remove yardmaster's hooks and put back the hooks they chained")
    .option('--json', 'print what was done as JSON', false)
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import('../../hooks/install.js')).uninstallHooksAction(ctx)),
    );
}
