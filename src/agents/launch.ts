// Starts an agent under the agent contract: cwd, YM_* environment, its own process group,
// a timeout that kills the whole group. Returns what it printed; judging it is the caller's job.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { ProcessError } from '../proc/run.js';
import { expandCommand, type AgentDefinition } from './registry.js';

export interface AgentLaunch {
  cwd: string;
  prompt: string;
  promptFile: string;
  trackId: string;
  /** YM_* variables and anything else the agent should see. */
  env: Record<string, string>;
}

export interface AgentOutcome {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Throws a UsageError naming the program and how to install it when it is not on PATH. */
export function assertAgentInstalled(agent: AgentDefinition, env: NodeJS.ProcessEnv): void {
  const file = agent.command[0];
  if (!file) throw new UsageError(`Agent "${agent.name}" has an empty command.`);
  if (findExecutable(file, env)) return;
  throw new UsageError(`Agent "${agent.name}": program "${file}" was not found on PATH.`, {
    hint: agent.installHint ? `Install it: ${agent.installHint}` : 'Check the "command" of this agent in yardmaster.json.',
  });
}

function findExecutable(file: string, env: NodeJS.ProcessEnv): string | null {
  const isFile = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (file.includes('/')) return isFile(file) ? file : null;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isFile(path.join(dir, file))) return path.join(dir, file);
  }
  return null;
}

export async function launchAgent(ctx: Context, agent: AgentDefinition, launch: AgentLaunch): Promise<AgentOutcome> {
  const [file, ...args] = expandCommand(agent.command, {
    prompt: launch.prompt,
    promptFile: launch.promptFile,
    worktree: launch.cwd,
    trackId: launch.trackId,
  });
  if (!file) throw new UsageError(`Agent "${agent.name}" has an empty command.`);
  try {
    const r = await ctx.run(file, args, {
      cwd: launch.cwd,
      env: { ...agent.env, ...launch.env },
      timeoutMs: agent.timeoutSec * 1000,
      detached: true,
      reject: false,
      signal: ctx.signal,
    });
    return { exitCode: r.exitCode, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr, durationMs: r.durationMs };
  } catch (err) {
    if (err instanceof ProcessError && err.notFound) {
      throw new UsageError(`Agent "${agent.name}": program "${file}" was not found on PATH.`, {
        hint: agent.installHint ? `Install it: ${agent.installHint}` : 'Check the "command" of this agent in yardmaster.json.',
      });
    }
    throw err;
  }
}
