import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('plan')
    .description(
      'split an objective into tracks (from a YAML/JSON file, or with the planner agent)',
    )
    .argument('[objective]', 'what you want done, e.g. "Add string utilities"')
    .option('--from <file>', 'read the tracks from this YAML or JSON file (no agent needed)')
    .option('--agent <name>', 'planner agent (default: planner.agent, then agent)')
    .option('-y, --yes', 'write without asking', false)
    .option('--json', 'print the planned tracks as JSON', false)
    .action(
      async (
        objective: string | undefined,
        opts: { from?: string; agent?: string },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../planning/plan.js')).plan({ objective, ...opts }, ctx),
        );
      },
    );
}
