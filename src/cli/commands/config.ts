import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  const config = program
    .command('config')
    .description('check yardmaster.json or print its JSON Schema');
  config
    .command('check')
    .description('validate yardmaster.json (exit 2 with every problem by field path)')
    .option('--json', 'print the resolved config as JSON', false)
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import('../../config/actions.js')).checkConfig(ctx)),
    );
  config
    .command('schema')
    .description('print the JSON Schema of yardmaster.json')
    .action(async (_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import('../../config/actions.js')).printConfigSchema(ctx)),
    );
}
