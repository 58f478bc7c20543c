import type { Command } from 'commander';
import type { CommandRunner } from '../command.js';

const int = (v: string) => Number(v);

export function register(program: Command, run: CommandRunner): void {
  program
    .command('implement')
    .description('run every runnable track in parallel, each in its own worktree, with the quality loop; resumes interrupted work')
    .argument('[ids...]', 'only these tracks (default: all)')
    .option('--concurrency <n>', 'agents at once (default: concurrency)', int)
    .option('--agent <name>', 'agent to run (default: agent)')
    .option('--attempts <n>', 'attempts per track (default: attempts)', int)
    .option('--no-merge', 'stop tracks at ready; do not hand them to the merge queue')
    .option('--plain', 'one line per event, even on a terminal', false)
    .option('-y, --yes', "trust the repository's commands for this run", false)
    .option('--json', 'print a JSON summary at the end', false)
    .action(async (ids: string[], opts: { concurrency?: number; agent?: string; attempts?: number; merge: boolean; plain: boolean }, cmd: Command) => {
      await run(cmd, async (ctx) => (await import('../../run/implement.js')).implement({ ids, ...opts }, ctx));
    });
}
