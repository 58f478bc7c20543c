// An agent's final message: the answer a caller reads once the agent has exited (the planner
// looks for its plan there). With structured output it is what the adapter took as the answer
// (summary.resultText); an agent that prints plain text has only its output, so that is the
// message, as a terminal would show it. Never the raw stream: in claude's stream-json the
// answer is an escaped string inside a JSON line.
import { isPrintable, visibleText } from './lines.js';
import type { AgentSummary, ParserName } from './types.js';

/** Where each adapter finds the final message, in words for messages such as "no plan found". */
export const FINAL_MESSAGE_SOURCE: Readonly<Record<ParserName, string>> = {
  claude: "the `result` of claude's stream-json result line",
  codex: "the last agent_message of codex's --json stream",
  gemini: "the last assistant message of gemini's stream-json",
  opencode: "the last text part of opencode's JSON events",
  aider: "aider's last reply",
  text: 'everything the agent printed',
};

export function finalMessage(
  parser: ParserName,
  summary: AgentSummary,
  stdout: string,
): string | null {
  if (parser !== 'text') return summary.resultText;
  const text = stdout
    .split(/\r?\n/)
    .map((line) => visibleText(line).trimEnd())
    .filter(isPrintable)
    .join('\n')
    .trim();
  return text || null;
}
