// Commands of the contract whose capability has not landed yet: registered, with help,
// and an honest "not available yet" (exit 2) instead of pretending.
import type { Command } from 'commander';
import { NotAvailableError } from '../../core/errors.js';
import type { CommandRunner } from '../command.js';

const LATER: [usage: string, description: string][] = [
  ['doctor', 'check state against git and the filesystem'],
];

export function register(program: Command, run: CommandRunner): void {
  for (const [usage, description] of LATER) {
    const name = usage.split(' ')[0]!;
    program
      .command(usage)
      .description(`${description} (not available yet)`)
      .allowUnknownOption(true)
      .action(async (...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command;
        await run(cmd, async () => {
          throw new NotAvailableError(name);
        });
      });
  }
}
