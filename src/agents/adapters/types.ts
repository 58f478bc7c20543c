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

export type AgentEvent =
  /** The agent's latest visible activity, one line: `Edit src/x.ts`, `Bash: npm test`. */
  | { kind: 'activity'; text: string }
  /** Totals so far for the run (not deltas); any field may be missing. */
  | { kind: 'usage'; inputTokens?: number; outputTokens?: number; costUsd?: number }
  | { kind: 'error'; text: string }
  | ({ kind: 'denied' } & Denial);

export interface AgentSummary {
  /** The agent's final message (claude `result`, codex last `agent_message`), when it has one. */
  resultText: string | null;
  /** What the structured output says about the run; null when it says nothing. */
  success: boolean | null;
  denials: Denial[];
  /** Prompt tokens including cached ones; output tokens including reasoning. */
  inputTokens?: number;
  outputTokens?: number;
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
}
