import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('status')
    .description('the live status view on a terminal; a plain table otherwise (or --plain, --json)')
    .argument('[id]', 'open on this track (plain: show only this track)')
    .option('--json', 'print one JSON snapshot', false)
    .option(
      '--watch',
      'keep refreshing (the live view on a terminal; with --plain, the table)',
      false,
    )
    .option('--plain', 'plain table even on a terminal', false)
    .option(
      '--notify-bell',
      'ring the terminal bell in the live view on the notify.on events',
      false,
    )
    .action(
      async (
        id: string | undefined,
        opts: { watch: boolean; plain: boolean; notifyBell: boolean },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../status/status.js')).status(
            { id, watch: opts.watch, plain: opts.plain, notifyBell: opts.notifyBell },
            ctx,
          ),
        );
      },
    );
}
