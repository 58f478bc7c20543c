import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('cancel')
    .description(
      'stop a track (a running one within a second, through its implement process); keep its worktree',
    )
    .argument('<id>', 'the track')
    .option('--json', 'print the result as JSON', false)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../manage/cancel.js')).cancel({ id }, ctx));
    });
}
