// Output parsers for the built-in agents, chosen by name, and the judge of an agent's exit.
// The scheduler feeds an agent's stdout to `parserFor(agent)` as it arrives, shows the
// events, and hands the summary and the exit code to `judgeAgentExit`.
import type { AgentDefinition } from '../registry.js';
import { createAiderParser } from './aider.js';
import { createClaudeParser } from './claude.js';
import { createCodexParser } from './codex.js';
import { createGeminiParser } from './gemini.js';
import { createOpencodeParser } from './opencode.js';
import { createTextParser } from './text.js';
import { isParserName, type OutputParser, type ParserName, type ParserOptions } from './types.js';

export { judgeAgentExit, FILE_EDIT_TOOLS, type AgentVerdict } from './judge.js';
export { FINAL_MESSAGE_SOURCE, finalMessage } from './final-message.js';
export {
  MAX_ACTIVITY_LENGTH,
  MAX_LINE_LENGTH,
  PARSER_NAMES,
  isParserName,
  type AgentEvent,
  type AgentSummary,
  type CostSource,
  type Denial,
  type OutputParser,
  type ParserName,
  type ParserOptions,
  type Usage,
  type UsageFigures,
} from './types.js';

/** The parser for an agent or parser name; unknown names (custom agents) get the text parser. */
export function createParser(agentName: string, options: ParserOptions = {}): OutputParser {
  switch (agentName) {
    case 'claude':
      return createClaudeParser(options);
    case 'codex':
      return createCodexParser(options);
    case 'gemini':
      return createGeminiParser(options);
    case 'opencode':
      return createOpencodeParser(options);
    case 'aider':
      return createAiderParser(options);
    default:
      return createTextParser();
  }
}

/**
 * The parser for a resolved agent: its `parser` when it names one (a custom agent wrapping
 * claude can say "parser": "claude"), else the built-in's own, else plain text.
 */
export function parserFor(agent: AgentDefinition, options: ParserOptions = {}): OutputParser {
  return createParser(parserNameFor(agent), options);
}

/** Which parser reads a resolved agent's output (see parserFor). */
export function parserNameFor(agent: AgentDefinition): ParserName {
  const name = agent.parser ?? (agent.kind === 'builtin' ? agent.name : 'text');
  return isParserName(name) ? name : 'text';
}
