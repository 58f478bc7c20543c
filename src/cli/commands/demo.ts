import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('demo')
    .description(
      'run the whole pipeline offline in a new repository, with the built-in scripted agent',
    )
    .argument('[dir]', 'where to create the demo repository (default: a new temporary directory)')
    .option('--json', 'print the summary as JSON', false)
    .action(async (dir: string | undefined, _opts: unknown, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../demo/demo.js')).demo({ dir }, ctx));
    });
}
