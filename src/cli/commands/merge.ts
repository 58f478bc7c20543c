import { Option, type Command } from 'commander';
import { intInRange, type CommandRunner } from '../command.js';
import type { ProviderName } from '../../vcs/index.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('merge')
    .description(
      'run the merge queue over the ready tracks: one at a time, each validated on its exact merged head',
    )
    .argument('[ids...]', 'only these tracks (default: every ready track)')
    .addOption(
      new Option('--provider <name>', 'local, github or gitlab (default: merge.provider)').choices([
        'local',
        'github',
        'gitlab',
      ]),
    )
    .option(
      '--speculate <n>',
      'check up to N queued candidates at once, each on top of the ones ahead, 1-16 (default: merge.speculate)',
      intInRange(1, 16),
    )
    .option('--dry-run', 'show the order and predicted conflicts; change nothing', false)
    .option('-y, --yes', "trust the repository's checks for this run", false)
    .option('--json', 'print the results as JSON', false)
    .action(
      async (
        ids: string[],
        opts: { provider?: ProviderName; dryRun: boolean; speculate?: number },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../engine/merge-command.js')).merge({ ids, ...opts }, ctx),
        );
      },
    );
}
