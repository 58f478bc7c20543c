import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('approve')
    .description(
      "let a ready track's current head enter the merge queue (merge.requireApproval; always for a change to what yardmaster runs)",
    )
    .argument('[ids...]', 'the tracks')
    .option('--all', 'every ready track', false)
    .option('--json', 'print the result as JSON', false)
    .addHelpText(
      'after',
      '\nThe approval names the head it approves: a track whose head moves since needs approving again.\nExit codes: 0 approved, 2 an unknown track or one that is not ready (nothing changed).',
    )
    .action(async (ids: string[], opts: { all: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) =>
        (await import('../../approval/verdicts.js')).approve({ ids, all: opts.all }, ctx),
      );
    });
}
