import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('validate')
    .description('run the checks for a track: built-in checks, then the configured checks')
    .argument(
      '[id]',
      'the track (default: the track whose branch is checked out; in --ci, from the CI branch)',
    )
    .option('--ci', 'CI mode: track from the CI branch variables, no state.db, no prompts', false)
    .option('--junit <file>', 'also write the results as JUnit XML')
    .option(
      '--builtin-only',
      'run only the fast built-in checks (what the pre-push hook does)',
      false,
    )
    .option(
      '--rev <commit>',
      'with --builtin-only: judge this commit instead of HEAD (pre-push hook)',
    )
    .option('-y, --yes', "run the repository's configured checks without `ym trust`", false)
    .option('--json', 'print the results as one JSON document (docs/validate.md)', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 every check passed, 1 a check failed, 2 bad usage or no such track.',
    )
    .action(
      async (
        id: string | undefined,
        opts: { ci: boolean; junit?: string; builtinOnly: boolean; rev?: string },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../checks/validate.js')).validate({ id, ...opts }, ctx),
        );
      },
    );
}
