import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('archive')
    .description(
      "move a finished track's docs to yardmaster/archive/<id>/ (a staged git mv to commit)",
    )
    .argument('<id>', 'a merged, cancelled, reverted or failed track')
    .option('--json', 'print the result as JSON', false)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../manage/archive.js')).archive({ id }, ctx));
    });
}
