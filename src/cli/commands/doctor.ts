import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('doctor')
    .description('check state.db against git and the filesystem; --fix repairs what is safe')
    .option('--fix', 'repair what can be repaired without losing work', false)
    .option('--json', 'print the findings as JSON', false)
    .action(async (opts: { fix: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../doctor/doctor.js')).doctor(opts, ctx));
    });
}
