import type { Command} from 'commander';
import { Option } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('setup')
    .description('write yardmaster.json and the context documents (yardmaster/*.md)')
    .option('--from-conductor', 'import a Conductor project (conductor/ directory)', false)
    .addOption(new Option('--ci <forge>', 'also write a CI workflow').choices(['github', 'gitlab']))
    .option('--hooks', 'also install the git hooks', false)
    .option('--force', 'overwrite existing context documents', false)
    .option('-y, --yes', 'accept defaults, no prompts', false)
    .option('--json', 'print what was written as JSON', false)
    .action(async (opts: { fromConductor: boolean; ci?: 'github' | 'gitlab'; hooks: boolean; force: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../setup/setup.js')).setup(opts, ctx));
    });
}
