// Gemini CLI, `gemini --output-format stream-json`: JSON lines `init`, `message` (user and
// assistant, the assistant's text in `delta` chunks), `tool_use`, `tool_result`, `error`
// (severity warning|error) and a final `result` with status and token stats. Shapes follow
// gemini-cli `packages/core/src/output/types.ts`. Usage: `init` names the session and model;
// tokens come only with `result` (`input_tokens` includes `cached`); no cost.
import { RunState, callText, lineParser, sumOf } from './base.js';
import { asNumber, asObject, asString, firstLine, jsonObject, type JsonObject } from './lines.js';
import type { AgentEvent, OutputParser, ParserOptions, UsageFigures } from './types.js';

export function createGeminiParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  state.defaultModel(options.model);
  // The assistant's text since the last tool call: the final one is the run's answer.
  let message = '';
  let shown = false;
  const flushMessage = (out: AgentEvent[]) => {
    if (message.trim() && !shown) state.activity(out, firstLine(message));
    shown = true;
  };
  return lineParser(
    state,
    (line, out) => {
      const ev = jsonObject(line);
      if (!ev) return;
      switch (ev.type) {
        case 'init':
          state.identify(out, { sessionId: asString(ev.session_id), model: asString(ev.model) });
          return;
        case 'message': {
          if (ev.role !== 'assistant') return;
          const content = asString(ev.content) ?? '';
          if (ev.delta === true) message += content;
          else message = content;
          // Show the first line once it is complete, not every growing prefix of it.
          if (!shown && message.trimStart().includes('\n')) flushMessage(out);
          return;
        }
        case 'tool_use':
          flushMessage(out);
          message = '';
          shown = false;
          state.activity(
            out,
            describeTool(asString(ev.tool_name) ?? 'tool', ev.parameters, options.cwd),
          );
          return;
        case 'tool_result':
          if (ev.status === 'error') {
            const err = asString(asObject(ev.error)?.message) ?? asString(ev.output) ?? '';
            state.warn(out, `tool ${asString(ev.tool_id) ?? ''} failed${err ? `: ${err}` : ''}`);
          }
          return;
        case 'error':
          if (ev.severity !== 'warning') state.warn(out, asString(ev.message) ?? 'error');
          return;
        case 'result': {
          flushMessage(out);
          state.success = ev.status === 'success';
          const stats = asObject(ev.stats);
          state.setUsage(out, geminiUsage(stats));
          if (!state.success) {
            state.error(
              out,
              `gemini ended with an error: ${asString(asObject(ev.error)?.message) ?? 'no message'}`,
            );
          }
          return;
        }
        default:
          return;
      }
    },
    () => {
      if (message.trim()) state.resultText = message.trim();
    },
  );
}

function geminiUsage(stats: JsonObject | null): UsageFigures {
  const figures: UsageFigures = {};
  const cached = asNumber(stats?.cached);
  const input = asNumber(stats?.input_tokens) ?? sumOf(stats?.input, cached);
  const output = asNumber(stats?.output_tokens);
  if (input !== undefined) figures.inputTokens = input;
  if (output !== undefined) figures.outputTokens = output;
  if (cached !== undefined) figures.cacheReadTokens = cached;
  return figures;
}

const FILE_TOOLS: Readonly<Record<string, string>> = {
  replace: 'Edit',
  edit: 'Edit',
  write_file: 'Write',
  read_file: 'Read',
  read_many_files: 'Read',
  list_directory: 'List',
  glob: 'Glob',
  search_file_content: 'Grep',
  grep: 'Grep',
  google_web_search: 'Search:',
  web_fetch: 'Fetch',
};

/** `Edit src/x.ts`, `$ npm test`, or the tool's name. */
export function describeTool(name: string, params: unknown, cwd: string | undefined): string {
  if (name === 'run_shell_command') {
    const command = asString(asObject(params)?.command);
    return command ? `$ ${command}` : 'Shell';
  }
  return callText(FILE_TOOLS[name] ?? name, params, cwd);
}
