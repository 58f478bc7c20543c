// The machinery every adapter shares: the running state that becomes the summary, and a
// parser built from a per-line handler. An adapter only says what one line means.
import { LineSplitter, asObject, oneLine, relativePath, type Line } from './lines.js';
import type { AgentEvent, AgentSummary, Denial, OutputParser } from './types.js';

/** Error texts are longer than activities (they go into feedback), but still one line. */
const MAX_ERROR_LENGTH = 500;

export class RunState {
  resultText: string | null = null;
  success: boolean | null = null;
  readonly denials: Denial[] = [];
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  costUsd: number | undefined;
  lastActivity: string | null = null;
  errorText: string | null = null;

  /** Records the latest activity; repeats of the same text are not reported again. */
  activity(out: AgentEvent[], text: string | undefined): void {
    const line = text === undefined ? '' : oneLine(text);
    if (!line || line === this.lastActivity) return;
    this.lastActivity = line;
    out.push({ kind: 'activity', text: line });
  }

  /** An error that concerns the whole run; the last one becomes the summary's `errorText`. */
  error(out: AgentEvent[], text: string): void {
    this.errorText = this.warn(out, text);
  }

  /** An error the agent reported but went on after (a failed tool, a retried request). */
  warn(out: AgentEvent[], text: string): string {
    const line = oneLine(text, MAX_ERROR_LENGTH) || 'unknown error';
    out.push({ kind: 'error', text: line });
    return line;
  }

  deny(out: AgentEvent[], tool: string, text: string): void {
    const denial = { tool, text: oneLine(text, MAX_ERROR_LENGTH) };
    this.denials.push(denial);
    out.push({ kind: 'denied', ...denial });
  }

  /** Adds to the token totals (for agents that report per step) and reports the totals. */
  addUsage(
    out: AgentEvent[],
    input: number | undefined,
    output: number | undefined,
    cost?: number,
  ): void {
    if (input !== undefined) this.inputTokens = (this.inputTokens ?? 0) + input;
    if (output !== undefined) this.outputTokens = (this.outputTokens ?? 0) + output;
    if (cost !== undefined) this.costUsd = (this.costUsd ?? 0) + cost;
    this.reportUsage(out);
  }

  /** Replaces the totals (for agents that report them whole) and reports them. */
  setUsage(
    out: AgentEvent[],
    input: number | undefined,
    output: number | undefined,
    cost?: number,
  ): void {
    this.inputTokens = input ?? this.inputTokens;
    this.outputTokens = output ?? this.outputTokens;
    this.costUsd = cost ?? this.costUsd;
    this.reportUsage(out);
  }

  private reportUsage(out: AgentEvent[]): void {
    const event: AgentEvent = { kind: 'usage' };
    if (this.inputTokens !== undefined) event.inputTokens = this.inputTokens;
    if (this.outputTokens !== undefined) event.outputTokens = this.outputTokens;
    if (this.costUsd !== undefined) event.costUsd = this.costUsd;
    if (Object.keys(event).length > 1) out.push(event);
  }

  summary(): AgentSummary {
    const s: AgentSummary = {
      resultText: this.resultText,
      success: this.success,
      denials: [...this.denials],
      lastActivity: this.lastActivity,
      errorText: this.errorText,
    };
    if (this.inputTokens !== undefined) s.inputTokens = this.inputTokens;
    if (this.outputTokens !== undefined) s.outputTokens = this.outputTokens;
    if (this.costUsd !== undefined) s.costUsd = this.costUsd;
    return s;
  }
}

export type LineHandler = (line: Line, out: AgentEvent[]) => void;

/**
 * A parser from a line handler. `finish` runs once after the last line, to settle what the
 * stream left open. A handler that throws on some odd line loses that line, not the run.
 */
export function lineParser(
  state: RunState,
  handle: LineHandler,
  finish?: () => void,
): OutputParser {
  const splitter = new LineSplitter();
  let summary: AgentSummary | undefined;
  const feed = (lines: Line[], out: AgentEvent[]) => {
    for (const line of lines) {
      try {
        handle(line, out);
      } catch {
        // An unexpected shape; the next line may still be fine.
      }
    }
  };
  return {
    push(chunk) {
      const out: AgentEvent[] = [];
      if (summary === undefined) feed(splitter.push(chunk), out);
      return out;
    },
    end() {
      if (summary === undefined) {
        feed(splitter.end(), []);
        finish?.();
        summary = state.summary();
      }
      return summary;
    },
  };
}

// Input fields that name what a tool call is about, most telling first.
const SUBJECT_KEYS = [
  'file_path',
  'filePath',
  'absolute_path',
  'notebook_path',
  'command',
  'cmd',
  'pattern',
  'query',
  'url',
  'path',
  'dir_path',
  'description',
  'prompt',
];

/** `Edit src/x.ts`, `Bash: npm test`: a tool's label and the most telling field of its input. */
export function callText(
  label: string,
  input: unknown,
  cwd: string | undefined,
  separator = ' ',
): string {
  const fields = asObject(input);
  for (const key of SUBJECT_KEYS) {
    const value = fields?.[key];
    if (typeof value !== 'string' || !value.trim()) continue;
    const subject = /path/i.test(key) ? relativePath(value, cwd) : value;
    return `${label}${separator}${subject}`;
  }
  return label;
}

/** The sum of the numbers among `values`, or undefined when there are none. */
export function sumOf(...values: unknown[]): number | undefined {
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return numbers.length ? numbers.reduce((a, b) => a + b, 0) : undefined;
}

/** `bash -lc 'npm test'` -> `npm test`: the command a shell wrapper runs. */
export function unwrapShell(command: string): string {
  const m = /^(?:\/\S*\/)?(?:ba|z)?sh\s+-l?c\s+(['"])([\s\S]*)\1\s*$/.exec(command.trim());
  return m?.[2] ?? command;
}
