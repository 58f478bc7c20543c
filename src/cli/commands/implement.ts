import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { intInRange, type CommandRunner } from '../command.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('It must be a positive number, e.g. 20 or 2.5.');
  return n;
}

export function register(program: Command, run: CommandRunner): void {
  program
    .command('implement')
    .description(
      'run every runnable track in parallel, each in its own worktree, with the quality loop; resumes interrupted work',
    )
    .argument('[ids...]', 'only these tracks (default: all)')
    .option('--concurrency <n>', 'agents at once, 1-64 (default: concurrency)', intInRange(1, 64))
    .option('--agent <name>', 'agent to run (default: agent)')
    .option('--attempts <n>', 'attempts per track, 1-20 (default: attempts)', intInRange(1, 20))
    .option('--no-merge', 'stop tracks at ready; do not hand them to the merge queue')
    .option(
      '--speculate <n>',
      'merge queue: check up to N candidates at once, 1-16 (default: merge.speculate)',
      intInRange(1, 16),
    )
    .option(
      '--budget-usd <n>',
      'stop the run (interrupted, resumable; exit 1) once its agents have cost this many US dollars (default: budget.runUsd)',
      positiveNumber,
    )
    .option(
      '--fresh',
      'start every agent with the full prompt instead of continuing its own session',
      false,
    )
    .option(
      '--retry',
      'queue failed and conflicted tracks (these, or all) again, with fresh attempts',
      false,
    )
    .addOption(
      new Option(
        '--engine <kind>',
        'local (one process) or bullmq (a fleet of `ym worker`s; YM_REDIS_URL)',
      ).choices(['local', 'bullmq']),
    )
    .option('--plain', 'one line per event, even on a terminal', false)
    .option(
      '--notify-bell',
      'ring the terminal bell in the live view on the notify.on events',
      false,
    )
    .option('-y, --yes', "trust the repository's commands for this run", false)
    .option('--json', 'print a JSON summary at the end', false)
    .action(
      async (
        ids: string[],
        opts: {
          concurrency?: number;
          agent?: string;
          attempts?: number;
          merge: boolean;
          plain: boolean;
          retry: boolean;
          fresh: boolean;
          budgetUsd?: number;
          speculate?: number;
          notifyBell: boolean;
          engine?: 'local' | 'bullmq';
        },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../engine/implement.js')).implement({ ids, ...opts }, ctx),
        );
      },
    );
}
