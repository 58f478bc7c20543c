// How each built-in agent continues an earlier conversation, as an argv, and how to tell that
// the conversation is gone. Pure: src/flow/session.ts decides when to resume and
// src/run/attempt.ts runs it (docs/agents.md, "Resume"). Checked against claude 2.1.330 and codex 0.169.0 (recorded in
// test/fixtures/agent-streams/*-resumed.jsonl), and the documented flags of the others.
import type { AgentDefinition } from './registry.js';

/** A session id goes into argv as one element; one that looks like a flag is refused. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** The built-in agents that can continue a conversation by id (the others start afresh). */
export const RESUMABLE_AGENTS = ['claude', 'codex', 'gemini', 'opencode'] as const;

/**
 * The agent's command to continue session `sessionId` (the prompt, the feedback, still goes
 * where the agent's fresh command takes it), or null when it cannot: a custom agent or aider
 * (no session ids: `--restore-chat-history` reloads a markdown log, not the conversation).
 * - claude: `--resume <session_id>` added; the session must be in the same working
 *   directory and config dir (`~/.claude/projects/<cwd>/`). It keeps the same session id.
 * - codex: `codex exec [options] resume <thread_id> -`; `resume` takes no `--sandbox`, so the
 *   sandbox goes in as `-c sandbox_mode="..."` at the `exec` level. Same CODEX_HOME needed.
 * - gemini: `--resume <session_id>` (docs/cli/session-management.md: an id, an index or "latest").
 * - opencode: `run --session <sessionID>`.
 */
export function resumeCommand(agent: AgentDefinition, sessionId: string): string[] | null {
  if (agent.kind !== 'builtin' || !SESSION_ID.test(sessionId)) return null;
  const command = [...agent.command];
  switch (agent.name) {
    case 'claude':
    case 'gemini':
      return [...command, '--resume', sessionId];
    case 'opencode':
      return [...command, '--session', sessionId];
    case 'codex':
      return codexResume(command, sessionId);
    default:
      return null;
  }
}

/** `codex exec --json --sandbox X -` -> `codex exec --json -c sandbox_mode="X" resume ID -`. */
function codexResume(command: string[], sessionId: string): string[] | null {
  const exec = command.indexOf('exec');
  if (exec < 0 || command.includes('resume')) return null;
  const rest = command.slice(exec + 1);
  // The trailing prompt: "-" (stdin) or a placeholder such as {prompt}.
  const last = rest.at(-1);
  const prompt = last !== undefined && (last === '-' || last.includes('{prompt')) ? [last] : [];
  const options: string[] = [];
  for (let i = 0; i < rest.length - prompt.length; i++) {
    const arg = rest[i] ?? '';
    const value = rest[i + 1];
    if ((arg === '--sandbox' || arg === '-s') && value !== undefined) {
      options.push('-c', `sandbox_mode="${value}"`);
      i++;
    } else if (arg.startsWith('--sandbox=')) {
      options.push('-c', `sandbox_mode="${arg.slice('--sandbox='.length)}"`);
    } else {
      options.push(arg);
    }
  }
  return [...command.slice(0, exec + 1), ...options, 'resume', sessionId, ...prompt];
}

/**
 * True when a resumed run failed because the agent no longer has the session (deleted,
 * another machine, another config dir), so the attempt should start afresh and say so.
 * What each CLI prints then, as recorded: claude a result with `error_during_execution` and
 * "No conversation found with session ID: <id>" (exit 1); codex only on stderr, "thread/resume
 * failed: no rollout found for thread id <id>" (exit 1). The others: false (not observed yet).
 */
export function sessionNotFound(
  agentName: string,
  outcome: { errorText: string | null; stderr: string },
): boolean {
  const text = `${outcome.errorText ?? ''}\n${outcome.stderr}`;
  switch (agentName) {
    case 'claude':
      return /No conversation found with session ID/i.test(text);
    case 'codex':
      return /no rollout found for thread id|thread\/resume failed/i.test(text);
    default:
      // gemini and opencode: not observed yet, so not guessed.
      return false;
  }
}
