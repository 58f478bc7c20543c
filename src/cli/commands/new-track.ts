import type { Command } from 'commander';
import { Option } from 'commander';
import { collect, type CommandRunner } from '../command.js';
import { TRACK_TYPES } from '../../core/track-types.js';

export function register(program: Command, run: CommandRunner): void {
  program
    .command('new-track')
    .description('create one track with spec.md and plan.md from templates')
    .argument('<title>', 'what the track does, e.g. "Add slugify helper"')
    .option('--id <id>', 'track id (default: derived from the title)')
    .addOption(new Option('--type <type>', 'kind of work').choices(TRACK_TYPES).default('feature'))
    .option('--depends-on <id>', 'a track that must be merged first (repeatable)', collect, [])
    .option('--scope <path>', 'a path the track may change (repeatable)', collect)
    .option('--spec-file <file>', 'use this markdown as the spec body')
    .option('-y, --yes', 'no prompts', false)
    .option('--json', 'print the created track as JSON', false)
    .action(
      async (
        title: string,
        opts: {
          id?: string;
          type: string;
          dependsOn: string[];
          scope?: string[];
          specFile?: string;
        },
        cmd: Command,
      ) => {
        await run(cmd, async (ctx) =>
          (await import('../../tracks/new-track.js')).newTrack({ title, ...opts }, ctx),
        );
      },
    );
}
