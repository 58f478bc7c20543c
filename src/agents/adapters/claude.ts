// Claude Code, `claude -p --output-format stream-json --verbose`: JSON lines of `system`
// (init), `assistant` (text and tool_use blocks), `user` (tool results) and one final
// `result` with subtype, cost, usage and `permission_denials`. A denied tool call still
// exits 0: the denial is only in that result line, so this parser reports it.
// Usage: the init line names the session and model; each assistant message carries the usage
// of its request (its output count is the one known when the message started, a lower
// bound), so totals grow as it streams; the result line then gives this run's exact tokens.
// Its `total_cost_usd` covers the whole session, earlier resumed runs included (observed with
// 2.1.330), so this run's cost is `model_usage_since_last_result`'s.
import { RunState, callText, lineParser, sinceBefore, sumOf } from './base.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  firstLine,
  jsonObject,
  type JsonObject,
} from './lines.js';
import type { AgentEvent, OutputParser, ParserOptions, UsageFigures } from './types.js';

export function createClaudeParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  state.defaultModel(options.model);
  // A message with several content blocks comes as several lines with the same id and usage.
  const counted = new Set<string>();
  return lineParser(state, (line, out) => {
    const msg = jsonObject(line);
    if (!msg) return;
    if (msg.type === 'system' && msg.subtype === 'init') {
      state.identify(out, { sessionId: asString(msg.session_id), model: asString(msg.model) });
    } else if (msg.type === 'assistant') {
      assistant(state, out, msg, options.cwd, counted);
    } else if (msg.type === 'result') {
      result(state, out, msg, options);
    }
  });
}

/** The figures of an Anthropic `usage` object; input counts cache reads and writes too. */
export function anthropicUsage(usage: JsonObject | null): UsageFigures {
  const read = asNumber(usage?.cache_read_input_tokens);
  const write = asNumber(usage?.cache_creation_input_tokens);
  const figures: UsageFigures = {};
  const input = sumOf(usage?.input_tokens, write, read);
  const output = asNumber(usage?.output_tokens);
  if (input !== undefined) figures.inputTokens = input;
  if (output !== undefined) figures.outputTokens = output;
  if (read !== undefined) figures.cacheReadTokens = read;
  if (write !== undefined) figures.cacheWriteTokens = write;
  return figures;
}

function assistant(
  state: RunState,
  out: AgentEvent[],
  msg: JsonObject,
  cwd: string | undefined,
  counted: Set<string>,
): void {
  const message = asObject(msg.message);
  const id = asString(message?.id);
  const usage = asObject(message?.usage);
  if (usage && (id === undefined || !counted.has(id))) {
    if (id !== undefined) counted.add(id);
    state.addUsage(out, anthropicUsage(usage));
  }
  for (const block of asArray(message?.content)) {
    const b = asObject(block);
    if (b?.type === 'text') state.activity(out, firstLine(asString(b.text) ?? ''));
    else if (b?.type === 'tool_use')
      state.activity(out, describeTool(asString(b.name) ?? 'tool', b.input, cwd));
  }
}

function result(state: RunState, out: AgentEvent[], msg: JsonObject, options: ParserOptions): void {
  const cwd = options.cwd;
  const subtype = asString(msg.subtype);
  const text = asString(msg.result);
  if (text !== undefined) state.resultText = text;
  // `is_error` is set for API failures that still carry subtype "success".
  state.success = subtype === 'success' && msg.is_error !== true;

  // A result before any init line (e.g. "No conversation found" on a resume) still names it.
  if (state.sessionId === undefined) state.identify(out, { sessionId: asString(msg.session_id) });
  const models = Object.keys(asObject(msg.modelUsage) ?? {});
  if (models.length === 1) state.defaultModel(models[0]);
  state.setUsage(out, { ...anthropicUsage(asObject(msg.usage)), ...runCost(msg, options) });

  for (const d of asArray(msg.permission_denials)) {
    const denial = asObject(d);
    const tool = asString(denial?.tool_name);
    if (tool) state.deny(out, tool, describeTool(tool, denial?.tool_input, cwd));
  }

  if (!state.success) {
    const errors = asArray(msg.errors).filter((e): e is string => typeof e === 'string');
    const why = errors.join('; ') || (text ? firstLine(text) : '');
    state.error(out, `claude ended with ${subtype ?? 'no result subtype'}${why ? `: ${why}` : ''}`);
  }
}

/**
 * This run's cost: the sum of `model_usage_since_last_result` when the result has it, else the
 * session's `total_cost_usd` (`cost_usd` in older versions) less the session's earlier runs.
 */
function runCost(msg: JsonObject, options: ParserOptions): UsageFigures {
  const since = asObject(msg.model_usage_since_last_result);
  if (since) {
    const cost = sumOf(...Object.values(since).map((m) => asObject(m)?.costUSD));
    if (cost !== undefined) return { costUsd: cost };
  }
  const total = asNumber(msg.total_cost_usd) ?? asNumber(msg.cost_usd);
  if (total === undefined) return {};
  const before = options.sessionBefore?.costUsd;
  return sinceBefore({ costUsd: total }, before === undefined ? undefined : { costUsd: before });
}

/** `Edit src/x.ts`, `Bash: npm test`, `Grep TODO`, or the tool's name. */
export function describeTool(name: string, input: unknown, cwd: string | undefined): string {
  if (name === 'Bash') return callText('Bash', input, cwd, ': ');
  if (name === 'TodoWrite') return 'Update the to-do list';
  if (name === 'Task' || name === 'Agent') return callText('Subagent:', input, cwd);
  return callText(name, input, cwd);
}
