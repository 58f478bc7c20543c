import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('show every track: state, dependencies, plan progress (table, or --json)')
    .argument('[id]', 'show only this track')
    .option('--json', 'print one JSON snapshot', false)
    .option('--watch', 'redraw the table whenever the state changes (Ctrl-C to stop)', false)
    .option('--plain', 'plain table even on a terminal', false)
    .action(async (id: string | undefined, opts: { watch: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../status/status.js')).status({ id, watch: opts.watch }, ctx));
    });
}
