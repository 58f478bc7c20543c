import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('trust')
    .description(
      "approve the repository's commands (checks, worktree setup, custom agents) as they are now",
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import('../../config/trust.js')).trust(ctx)),
    );
}
