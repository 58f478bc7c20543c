import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('reject')
    .description(
      'send a ready track back to its agent as a new attempt, with the reason as feedback',
    )
    .argument('<id>', 'the track')
    .option('--reason <text>', 'what the agent should change (required)')
    .option('--json', 'print the result as JSON', false)
    .addHelpText(
      'after',
      '\nWith no attempts left the track fails.\nExit codes: 0 rejected, 2 an unknown track, one that is not ready, or no reason (nothing changed).',
    )
    .action(async (id: string, opts: { reason?: string }, cmd: Command) => {
      await run(cmd, async (ctx) =>
        (await import('../../approval/verdicts.js')).reject({ id, reason: opts.reason }, ctx),
      );
    });
}
