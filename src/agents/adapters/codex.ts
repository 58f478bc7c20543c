// OpenAI Codex CLI, `codex exec --json`: JSON lines `thread.started`, `turn.started`,
// `item.started|updated|completed` (items: agent_message, reasoning, command_execution,
// file_change, mcp_tool_call, web_search, todo_list, error), then `turn.completed` with usage
// or `turn.failed`; a top-level `error` is a stream failure. Shapes follow codex-rs
// `exec/src/exec_events.rs`.
// Usage: `thread.started` names the thread (what `codex exec resume` takes); the only token
// counts come with `turn.completed`, and they are the thread's totals: a resumed run reports
// its earlier runs' tokens too (observed with 0.169.0), hence `sessionBefore`. The stream
// names no model and no cost.
import { RunState, lineParser, sinceBefore, unwrapShell } from './base.js';
import {
  asArray,
  asNumber,
  asObject,
  asString,
  firstLine,
  jsonObject,
  relativePath,
  type JsonObject,
} from './lines.js';
import type { AgentEvent, OutputParser, ParserOptions, UsageFigures } from './types.js';

export function createCodexParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  state.defaultModel(options.model);
  let completed = false;
  let failed = false;
  let streamError = false;
  return lineParser(
    state,
    (line, out) => {
      const ev = jsonObject(line);
      if (!ev) return;
      const type = asString(ev.type) ?? '';
      if (type.startsWith('item.')) {
        item(state, out, type, asObject(ev.item), options.cwd);
      } else if (type === 'thread.started') {
        state.identify(out, { sessionId: asString(ev.thread_id) });
      } else if (type === 'turn.completed') {
        completed = true;
        state.setUsage(out, sinceBefore(codexUsage(asObject(ev.usage)), options.sessionBefore));
      } else if (type === 'turn.failed') {
        failed = true;
        state.error(out, `codex turn failed: ${errorMessage(ev.error)}`);
      } else if (type === 'error') {
        streamError = true;
        state.error(out, `codex: ${errorMessage(ev)}`);
      }
    },
    () => {
      // A stream error followed by a completed turn was retried and recovered.
      state.success = failed ? false : completed ? true : streamError ? false : null;
    },
  );
}

/** input_tokens already includes cached_input_tokens (and cache_write_input_tokens). */
function codexUsage(usage: JsonObject | null): UsageFigures {
  const figures: UsageFigures = {};
  const input = asNumber(usage?.input_tokens);
  const output = asNumber(usage?.output_tokens);
  const read = asNumber(usage?.cached_input_tokens);
  const write = asNumber(usage?.cache_write_input_tokens);
  if (input !== undefined) figures.inputTokens = input;
  if (output !== undefined) figures.outputTokens = output;
  if (read !== undefined) figures.cacheReadTokens = read;
  if (write !== undefined) figures.cacheWriteTokens = write;
  return figures;
}

function item(
  state: RunState,
  out: AgentEvent[],
  type: string,
  it: JsonObject | null,
  cwd: string | undefined,
): void {
  if (!it) return;
  const done = type === 'item.completed';
  switch (it.type) {
    case 'agent_message': {
      const text = asString(it.text);
      if (text === undefined) return;
      if (done) state.resultText = text;
      state.activity(out, firstLine(text));
      return;
    }
    case 'reasoning':
      if (done) state.activity(out, firstLine(asString(it.text) ?? ''));
      return;
    case 'command_execution': {
      const command = commandText(it.command);
      const exit = asNumber(it.exit_code);
      const suffix =
        done && exit !== undefined && exit !== 0
          ? ` (exit ${exit})`
          : it.status === 'declined'
            ? ' (declined)'
            : '';
      state.activity(out, command ? `$ ${command}${suffix}` : undefined);
      return;
    }
    case 'file_change': {
      const changes = asArray(it.changes)
        .map(asObject)
        .map((c) =>
          c && typeof c.path === 'string' ? `${verb(c.kind)} ${relativePath(c.path, cwd)}` : '',
        )
        .filter(Boolean);
      const failed = it.status === 'failed' ? ' (failed)' : '';
      state.activity(out, changes.length ? `${changes.join(', ')}${failed}` : undefined);
      return;
    }
    case 'mcp_tool_call':
      state.activity(out, `${asString(it.server) ?? 'mcp'}.${asString(it.tool) ?? 'tool'}`);
      return;
    case 'web_search':
      state.activity(out, `Search: ${asString(it.query) ?? ''}`);
      return;
    case 'error':
      // A non-fatal error item (the turn goes on); reported, not counted as failure.
      if (done) state.warn(out, asString(it.message) ?? 'error');
      return;
    default:
      return;
  }
}

function verb(kind: unknown): string {
  return kind === 'add' ? 'Add' : kind === 'delete' ? 'Delete' : 'Edit';
}

/** The command as a string; older versions sent an argv array such as ["bash","-lc","..."]. */
function commandText(command: unknown): string {
  if (typeof command === 'string') return unwrapShell(command);
  const argv = asArray(command).filter((a): a is string => typeof a === 'string');
  if (argv.length === 3 && /sh$/.test(argv[0] ?? '') && /^-l?c$/.test(argv[1] ?? ''))
    return argv[2] ?? '';
  return argv.join(' ');
}

function errorMessage(value: unknown): string {
  return asString(asObject(value)?.message) ?? 'no message';
}
