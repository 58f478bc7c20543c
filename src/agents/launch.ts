// Starts an agent under the agent contract: cwd, YM_* environment, its own process group,
// a timeout that kills the whole group, the prompt on stdin for agents that read it there.
// Its stdout goes through the agent's output parser as it arrives; judging the outcome
// (judgeAgentExit) is the caller's job.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { withoutForgeTokens } from '../core/env.js';
import { ProcessError } from '../proc/run.js';
import { parserFor, type AgentEvent, type AgentSummary } from './adapters/index.js';
import type { ParserOptions } from './adapters/types.js';
import { expandCommand, type AgentDefinition } from './registry.js';

export interface AgentLaunch {
  cwd: string;
  prompt: string;
  promptFile: string;
  trackId: string;
  /** YM_* variables and anything else the agent should see. */
  env: Record<string, string>;
  /** Each event from the agent's output (latest activity, usage, errors, denials), live. */
  onEvent?: (event: AgentEvent) => void;
  /** Every chunk of output as it arrives, e.g. to stream it into the run's log. */
  onOutput?: (chunk: Buffer, stream: 'stdout' | 'stderr') => void;
  /** The agent's process group leader, once started (recorded so a later process can kill it). */
  onSpawn?: (pid: number) => void;
  /** Stops the agent (its whole group); defaults to the context's Ctrl-C signal. */
  signal?: AbortSignal;
  /** For the output parser, e.g. a resumed session's earlier usage (`sessionBefore`). */
  parser?: Omit<ParserOptions, 'cwd'>;
}

/** Output kept in memory per stream (its tail); every byte still reaches onOutput. */
const KEEP_BYTES = 256 * 1024;

export interface AgentOutcome {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** What the agent's output said: final message, success, denials, usage, last activity. */
  summary: AgentSummary;
}

/** Throws a UsageError naming the program and how to install it when it is not on PATH. */
export function assertAgentInstalled(agent: AgentDefinition, env: NodeJS.ProcessEnv): void {
  const file = agent.command[0];
  if (!file) throw new UsageError(`Agent "${agent.name}" has an empty command.`);
  if (findExecutable(file, env)) return;
  throw new UsageError(`Agent "${agent.name}": program "${file}" was not found on PATH.`, {
    hint: agent.installHint
      ? `Install it: ${agent.installHint}`
      : 'Check the "command" of this agent in yardmaster.json.',
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

export async function launchAgent(
  ctx: Context,
  agent: AgentDefinition,
  launch: AgentLaunch,
): Promise<AgentOutcome> {
  const [file, ...args] = expandCommand(agent.command, {
    prompt: launch.prompt,
    promptFile: launch.promptFile,
    worktree: launch.cwd,
    trackId: launch.trackId,
  });
  if (!file) throw new UsageError(`Agent "${agent.name}" has an empty command.`);
  const parser = parserFor(agent, { ...launch.parser, cwd: launch.cwd });
  try {
    const r = await ctx.run(file, args, {
      cwd: launch.cwd,
      // The user's environment is inherited (API keys, PATH, agent config dirs), then the agent's
      // own `env`, then the contract's YM_* variables; the forge tokens are removed last, so not
      // even an agent's configured `env` can hand them over (see FORGE_TOKEN_VARIABLES).
      env: { ...agent.env, ...launch.env, ...withoutForgeTokens() },
      // Otherwise stdin is /dev/null: an open, never-closed pipe would hang codex and opencode.
      ...(agent.promptViaStdin ? { input: launch.prompt } : {}),
      timeoutMs: agent.timeoutSec * 1000,
      detached: true,
      reject: false,
      keepTail: true,
      maxBuffer: KEEP_BYTES,
      signal: launch.signal ?? ctx.signal,
      ...(launch.onSpawn ? { onSpawn: launch.onSpawn } : {}),
      onOutput: (chunk, stream) => {
        launch.onOutput?.(chunk, stream);
        if (stream !== 'stdout') return;
        for (const event of parser.push(chunk)) launch.onEvent?.(event);
      },
    });
    return {
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
      summary: parser.end(),
    };
  } catch (err) {
    if (err instanceof ProcessError && err.notFound) {
      throw new UsageError(`Agent "${agent.name}": program "${file}" was not found on PATH.`, {
        hint: agent.installHint
          ? `Install it: ${agent.installHint}`
          : 'Check the "command" of this agent in yardmaster.json.',
      });
    }
    throw err;
  }
}
