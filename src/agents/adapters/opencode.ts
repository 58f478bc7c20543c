// opencode, `opencode run --format json`: JSON lines `{type, timestamp, sessionID, ...}` with
// `step_start`, `text` (a finished text part), `tool_use` (a finished or failed tool part:
// `part.tool`, `part.state.{status,input,title,error}`), `step_finish` (per-step `tokens` and
// `cost`), `error`, and in recent versions a last `done` listing the permissions it
// auto-rejected because nobody could answer. Shapes follow packages/opencode/src/cli/cmd/run.ts.
// Usage: every event names the session (`sessionID`, what `run --session` takes); each
// `step_finish` adds its tokens (`input` excludes the cache's) and cost. No model is named.
import { RunState, callText, lineParser, sumOf } from './base.js';
import { asArray, asNumber, asObject, asString, firstLine, jsonObject } from './lines.js';
import type { AgentEvent, OutputParser, ParserOptions, UsageFigures } from './types.js';

export function createOpencodeParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  state.defaultModel(options.model);
  let failed = false;
  let done = false;
  return lineParser(
    state,
    (line, out) => {
      const ev = jsonObject(line);
      if (!ev) return;
      const part = asObject(ev.part);
      if (state.sessionId === undefined) state.identify(out, { sessionId: asString(ev.sessionID) });
      switch (ev.type) {
        case 'text': {
          const text = asString(part?.text);
          if (text?.trim()) {
            state.resultText = text;
            state.activity(out, firstLine(text));
          }
          return;
        }
        case 'tool_use':
          toolUse(state, out, part, options.cwd);
          return;
        case 'step_finish': {
          const tokens = asObject(part?.tokens);
          const cache = asObject(tokens?.cache);
          const step: UsageFigures = {};
          const input = sumOf(tokens?.input, cache?.read, cache?.write);
          const output = sumOf(tokens?.output, tokens?.reasoning);
          const read = asNumber(cache?.read);
          const write = asNumber(cache?.write);
          const cost = asNumber(part?.cost);
          if (input !== undefined) step.inputTokens = input;
          if (output !== undefined) step.outputTokens = output;
          if (read !== undefined) step.cacheReadTokens = read;
          if (write !== undefined) step.cacheWriteTokens = write;
          if (cost !== undefined) step.costUsd = cost;
          state.addUsage(out, step);
          return;
        }
        case 'error': {
          failed = true;
          const err = asObject(ev.error);
          const text =
            asString(asObject(err?.data)?.message) ?? asString(err?.name) ?? 'unknown error';
          state.error(out, `opencode: ${text}`);
          return;
        }
        case 'done':
          done = true;
          for (const permission of asArray(ev.rejected)) {
            if (typeof permission !== 'string') continue;
            state.deny(
              out,
              permission,
              `opencode auto-rejected the "${permission}" permission (no one to ask)`,
            );
          }
          return;
        default:
          return;
      }
    },
    () => {
      state.success = failed ? false : done ? true : null;
    },
  );
}

function toolUse(
  state: RunState,
  out: AgentEvent[],
  part: Record<string, unknown> | null,
  cwd: string | undefined,
): void {
  const tool = asString(part?.tool) ?? 'tool';
  const st = asObject(part?.state);
  const what = describeTool(tool, st?.input, cwd);
  if (st?.status === 'error') {
    state.warn(out, `${what} failed: ${asString(st.error) ?? 'no message'}`);
    return;
  }
  state.activity(out, what);
}

const LABELS: Readonly<Record<string, string>> = {
  edit: 'Edit',
  write: 'Write',
  patch: 'Edit',
  read: 'Read',
  list: 'List',
  glob: 'Glob',
  grep: 'Grep',
  webfetch: 'Fetch',
  task: 'Subagent:',
  todowrite: 'Update the to-do list',
};

/** `Edit src/x.ts`, `$ npm test`, or the tool's name. */
export function describeTool(tool: string, input: unknown, cwd: string | undefined): string {
  if (tool === 'bash') {
    const command = asString(asObject(input)?.command);
    return command ? `$ ${command}` : 'Shell';
  }
  if (tool === 'todowrite') return LABELS.todowrite ?? tool;
  return callText(LABELS[tool] ?? tool, input, cwd);
}
