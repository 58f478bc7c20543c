// The commands a repository's yardmaster.json asks yardmaster to run (checks, worktree setup,
// custom agents), described as the user wrote them: what `requireTrust` lists before approval.
import { describeCommand } from '../proc/run.js';
import type { CommandSpec, Config } from './schema.js';

/** A command as written in yardmaster.json: a shell string as is, an argv array quoted. */
export function describeSpec(run: CommandSpec): string {
  return typeof run === 'string' ? run : describeCommand(run[0] ?? '', run.slice(1));
}

export interface RepoCommandParts {
  checks?: boolean;
  setup?: boolean;
  agents?: boolean;
  notify?: boolean;
  /** `engine`: the fleet engine and the remote its workers push to (docs/scale.md). */
  engine?: boolean;
}

/** Lines for requireTrust: the repository's own commands of the kinds asked for. */
export function repoCommands(config: Config, parts: RepoCommandParts): string[] {
  const lines: string[] = [];
  if (parts.checks) {
    for (const c of config.checks) lines.push(`check "${c.name}": ${describeSpec(c.run)}`);
    // What an agent may run itself besides the checks: the repository's word too.
    for (const [name, a] of Object.entries(config.agents))
      for (const rule of a.allow ?? []) lines.push(`agent "${name}" may run: ${rule}`);
  }
  if (parts.setup)
    for (const s of config.worktrees.setup) lines.push(`worktree setup: ${describeSpec(s)}`);
  if (parts.agents) {
    for (const [name, a] of Object.entries(config.agents))
      if (a.command) lines.push(`agent "${name}": ${describeSpec(a.command)}`);
  }
  // Where a fleet's workers push and which engine runs the repository's commands: the
  // repository's word as much as a check is, so a changed engine asks for trust again.
  if (parts.engine && (config.engine.kind !== 'local' || config.engine.remote !== 'origin'))
    lines.push(`engine: ${config.engine.kind} (remote "${config.engine.remote}")`);
  if (parts.notify && config.notify.command)
    lines.push(`notify: ${describeSpec(config.notify.command)}`);
  return lines;
}
