import type { Command } from 'commander';
import { intInRange, type CommandRunner } from '../command.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('worker')
    .description(
      'one machine of a fleet (engine bullmq): run track attempts and merge steps from Redis (YM_REDIS_URL) in this clone',
    )
    .option(
      '--slots <n>',
      'track attempts at once on this machine, 1-64 (default: concurrency)',
      intInRange(1, 64),
    )
    .option(
      '--drain',
      "ask this clone's running workers to finish their jobs, take nothing new, and exit",
      false,
    )
    .option('-y, --yes', "trust the repository's commands for this worker", false)
    .action(async (opts: { slots?: number; drain: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../fleet/worker.js')).worker(opts, ctx));
    });
}
