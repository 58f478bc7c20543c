import { Option, type Command } from 'commander';
import type { CommandRunner } from '../command.js';
import type { ProviderName } from '../../vcs/index.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('revert')
    .description(
      'undo a merged track, phase (and the phases after it) or task on the target, by revert commits',
    )
    .argument('<target>', 'ID, ID:phase<N> or ID:task<X.Y>')
    .option('--continue', 'finish a revert that stopped on a conflict, once it is resolved', false)
    .option('--abort', 'drop a revert that stopped (the target was not changed)', false)
    .addOption(
      new Option('--provider <name>', 'local, github or gitlab (default: merge.provider)').choices([
        'local',
        'github',
        'gitlab',
      ]),
    )
    .option('-y, --yes', "apply without asking; trust the repository's checks for this run", false)
    .option('--json', 'print the plan and the result as JSON', false)
    .action(
      async (
        target: string,
        opts: { continue: boolean; abort: boolean; provider?: ProviderName },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../revert/revert.js')).revert({ spec: target, ...opts }, ctx),
        );
      },
    );
}
