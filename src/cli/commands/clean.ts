import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('clean')
    .description(
      'remove worktrees and branches of merged, cancelled and archived tracks (never losing work without --force)',
    )
    .option('--dry-run', 'list what would be removed and kept; change nothing', false)
    .option(
      '--force',
      'also remove what holds uncommitted changes or unmerged commits (listed)',
      false,
    )
    .option('--json', 'print what was (or would be) removed and kept as JSON', false)
    .action(async (opts: { dryRun: boolean; force: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../manage/clean.js')).clean(opts, ctx));
    });
}
