// Starts an agent under the agent contract: cwd, YM_* environment, its own process group,
// a timeout that kills the whole group, the prompt on stdin for agents that read it there.
// Its stdout goes through the agent's output parser as it arrives; judging the outcome
// (judgeAgentExit) is the caller's job.
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { ProcessError } from '../proc/run.js';
import { parserFor, type AgentEvent, type AgentSummary } from './adapters/index.js';
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
}

export interface AgentOutcome {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** What the agent's output said: final message, success, denials, usage, last activity. */
  summary: AgentSummary;
}

export async function launchAgent(ctx: Context, agent: AgentDefinition, launch: AgentLaunch): Promise<AgentOutcome> {
  const [file, ...args] = expandCommand(agent.command, {
    prompt: launch.prompt,
    promptFile: launch.promptFile,
    worktree: launch.cwd,
    trackId: launch.trackId,
  });
  if (!file) throw new UsageError(`Agent "${agent.name}" has an empty command.`);
  const parser = parserFor(agent, { cwd: launch.cwd });
  try {
    const r = await ctx.run(file, args, {
      cwd: launch.cwd,
      env: { ...agent.env, ...launch.env },
      // Otherwise stdin is /dev/null: an open, never-closed pipe would hang codex and opencode.
      ...(agent.promptViaStdin ? { input: launch.prompt } : {}),
      timeoutMs: agent.timeoutSec * 1000,
      detached: true,
      reject: false,
      signal: ctx.signal,
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
        hint: agent.installHint ? `Install it: ${agent.installHint}` : 'Check the "command" of this agent in yardmaster.json.',
      });
    }
    throw err;
  }
}
