import type { Command } from 'commander';
import { Option } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('setup')
    .description('write yardmaster.json and the context documents (yardmaster/*.md)')
    .option('--from-conductor', 'import a Conductor project (conductor/ directory)', false)
    .addOption(
      new Option(
        '--ci <forge>',
        'write the CI job: .github/workflows/yardmaster.yml, or merged into .gitlab-ci.yml',
      ).choices(['github', 'gitlab']),
    )
    .option('--hooks', 'install the git hooks (as `ym hooks install`)', false)
    .option(
      '--force',
      'overwrite existing files (with --ci/--hooks in a set-up repository: only the CI file)',
      false,
    )
    .option('-y, --yes', 'accept defaults, no prompts', false)
    .option('--json', 'print what was written as JSON', false)
    .action(
      async (
        opts: { fromConductor: boolean; ci?: 'github' | 'gitlab'; hooks: boolean; force: boolean },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) => (await import('../../setup/setup.js')).setup(opts, ctx));
      },
    );
}
