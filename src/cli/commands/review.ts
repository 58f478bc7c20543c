import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('review')
    .description(
      "a track's diff against the target (what landed, once merged), its checks, plan and usage",
    )
    .argument('<id>', 'the track')
    .option('--json', 'print one JSON document (docs/review.md)', false)
    .addHelpText(
      'after',
      '\nOn a terminal the output is paged through $PAGER (default `less -R`); not with --json or under CI.\n' +
        'Exit codes: 0 shown, 2 unknown track or nothing to review yet.',
    )
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../review/review.js')).review({ id }, ctx));
    });
}
