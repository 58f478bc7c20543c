// Claude Code, `claude -p --output-format stream-json --verbose`: JSON lines of `system`
// (init), `assistant` (text and tool_use blocks), `user` (tool results) and one final
// `result` with subtype, cost, usage and `permission_denials`. A denied tool call still
// exits 0: the denial is only in that result line, so this parser reports it.
import { RunState, callText, lineParser, sumOf } from './base.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  firstLine,
  jsonObject,
  type JsonObject,
} from './lines.js';
import type { AgentEvent, OutputParser, ParserOptions } from './types.js';

export function createClaudeParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  return lineParser(state, (line, out) => {
    const msg = jsonObject(line);
    if (!msg) return;
    if (msg.type === 'assistant') assistant(state, out, msg, options.cwd);
    else if (msg.type === 'result') result(state, out, msg, options.cwd);
  });
}

function assistant(
  state: RunState,
  out: AgentEvent[],
  msg: JsonObject,
  cwd: string | undefined,
): void {
  for (const block of asArray(asObject(msg.message)?.content)) {
    const b = asObject(block);
    if (b?.type === 'text') state.activity(out, firstLine(asString(b.text) ?? ''));
    else if (b?.type === 'tool_use')
      state.activity(out, describeTool(asString(b.name) ?? 'tool', b.input, cwd));
  }
}

function result(
  state: RunState,
  out: AgentEvent[],
  msg: JsonObject,
  cwd: string | undefined,
): void {
  const subtype = asString(msg.subtype);
  const text = asString(msg.result);
  if (text !== undefined) state.resultText = text;
  // `is_error` is set for API failures that still carry subtype "success".
  state.success = subtype === 'success' && msg.is_error !== true;

  const usage = asObject(msg.usage);
  const input = sumOf(
    usage?.input_tokens,
    usage?.cache_creation_input_tokens,
    usage?.cache_read_input_tokens,
  );
  // `total_cost_usd` is the current name; `cost_usd` is what older versions printed.
  state.setUsage(
    out,
    input,
    asNumber(usage?.output_tokens),
    asNumber(msg.total_cost_usd) ?? asNumber(msg.cost_usd),
  );

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

/** `Edit src/x.ts`, `Bash: npm test`, `Grep TODO`, or the tool's name. */
export function describeTool(name: string, input: unknown, cwd: string | undefined): string {
  if (name === 'Bash') return callText('Bash', input, cwd, ': ');
  if (name === 'TodoWrite') return 'Update the to-do list';
  if (name === 'Task' || name === 'Agent') return callText('Subagent:', input, cwd);
  return callText(name, input, cwd);
}
