// What an agent's output parser produces: live events while the agent runs, and a summary
// once it has exited. Pure types and limits; no I/O.

/** The parsers yardmaster knows; a custom agent may name one in yardmaster.json (`parser`). */
export const PARSER_NAMES = ['claude', 'codex', 'gemini', 'aider', 'opencode', 'text'] as const;
export type ParserName = (typeof PARSER_NAMES)[number];

export function isParserName(name: string): name is ParserName {
  return (PARSER_NAMES as readonly string[]).includes(name);
}

/** A line longer than this (in UTF-16 units, about 1 MiB of text) is cut; JSON parsers skip it. */
export const MAX_LINE_LENGTH = 1024 * 1024;
/** Activity texts are one line of at most this many characters. */
export const MAX_ACTIVITY_LENGTH = 120;

/** A tool call the agent's CLI refused (e.g. claude's `permission_denials`). */
export interface Denial {
  /** The tool or permission name as the agent reports it: `Edit`, `Bash`, `edit`, ... */
  tool: string;
  /** What was refused, one line: `Bash: git push origin main`. */
  text: string;
}

/** Where a cost figure comes from: the agent's own report, or yardmaster's price table. */
export type CostSource = 'reported' | 'estimated';

/** The token and cost figures of one run; a missing field is unknown, never zero. */
export interface UsageFigures {
  /** Prompt tokens, cache reads and cache writes included (what a token budget counts). */
  inputTokens?: number;
  /** Output tokens, reasoning included. */
  outputTokens?: number;
  /** The part of `inputTokens` read from the provider's prompt cache. */
  cacheReadTokens?: number;
  /** The part of `inputTokens` written to the provider's prompt cache. */
  cacheWriteTokens?: number;
  /** US dollars for this run only (not the session's total across resumed runs). */
  costUsd?: number;
}

/**
 * What one run of an agent used, and the conversation it belongs to (docs/agents.md, "Usage").
 * `costSource` is null exactly when `costUsd` is unknown.
 */
export interface Usage extends UsageFigures {
  costSource: CostSource | null;
  /** The agent's own conversation id (claude session_id, codex thread_id, ...): what resume takes. */
  sessionId?: string;
  /** The model the agent says it used, as it names it (`claude-sonnet-4-5-20250929`, `openai/gpt-5`). */
  model?: string;
}

export type AgentEvent =
  /** The agent's latest visible activity, one line: `Edit src/x.ts`, `Bash: npm test`. */
  | { kind: 'activity'; text: string }
  /**
   * The run's usage so far (totals, not deltas), sent whenever a figure or the session id
   * changes, so a budget can act before the agent exits.
   */
  | ({ kind: 'usage' } & Usage)
  | { kind: 'error'; text: string }
  | ({ kind: 'denied' } & Denial);

export interface AgentSummary {
  /** The agent's final message (claude `result`, codex last `agent_message`), when it has one. */
  resultText: string | null;
  /** What the structured output says about the run; null when it says nothing. */
  success: boolean | null;
  denials: Denial[];
  /** The run's usage, cost as the agent reported it (estimates come from estimateCost). */
  usage: Usage;
  /** Same as usage.inputTokens (prompt tokens including cached ones). */
  inputTokens?: number;
  /** Same as usage.outputTokens (including reasoning). */
  outputTokens?: number;
  /** Same as usage.costUsd when the agent reported it. */
  costUsd?: number;
  lastActivity: string | null;
  /** The last error the output reported (error result, failed turn), for feedback. */
  errorText: string | null;
}

export interface OutputParser {
  /**
   * Feeds one chunk of the agent's stdout. Bytes are decoded as a UTF-8 stream, so a chunk
   * may end in the middle of a character or a line; strings are taken as they are.
   */
  push(chunk: string | Uint8Array): AgentEvent[];
  /** Flushes the last unterminated line and returns the summary. Call once. */
  end(): AgentSummary;
}

export interface ParserOptions {
  /** The agent's working directory: absolute paths under it are shown relative. */
  cwd?: string;
  /** The model the launcher asked for (`-m`), for agents whose output does not name it (codex). */
  model?: string;
  /**
   * For a resumed session: the usage of the session's earlier runs, summed. Codex reports the
   * thread's totals (and claude's `total_cost_usd` the session's), so this is subtracted to
   * give the figures of this run alone.
   */
  sessionBefore?: UsageFigures;
}
