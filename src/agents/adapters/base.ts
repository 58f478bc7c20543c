// The machinery every adapter shares: the running state that becomes the summary, and a
// parser built from a per-line handler. An adapter only says what one line means.
import { USAGE_FIGURES } from '../../core/usage.js';
import { LineSplitter, asObject, oneLine, relativePath, type Line } from './lines.js';
import type {
  AgentEvent,
  AgentSummary,
  Denial,
  OutputParser,
  Usage,
  UsageFigures,
} from './types.js';

/** Error texts are longer than activities (they go into feedback), but still one line. */
const MAX_ERROR_LENGTH = 500;

const FIGURES = USAGE_FIGURES;

export class RunState {
  resultText: string | null = null;
  success: boolean | null = null;
  readonly denials: Denial[] = [];
  lastActivity: string | null = null;
  errorText: string | null = null;
  private readonly usage: Usage = { costSource: null };
  /** The usage event last sent, as JSON: an unchanged total is not sent again. */
  private lastReported = '';

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

  /**
   * Adds `delta` to the totals (for agents that report per step), then replaces those that
   * `totals` knows (for figures reported whole, like aider's session cost), and reports them.
   */
  addUsage(out: AgentEvent[], delta: UsageFigures, totals: UsageFigures = {}): void {
    for (const key of FIGURES) {
      const value = delta[key];
      if (value === undefined) continue;
      const sum = (this.usage[key] ?? 0) + value;
      this.usage[key] = key === 'costUsd' ? roundCost(sum) : sum;
    }
    for (const key of FIGURES) {
      const value = totals[key];
      if (value !== undefined) this.usage[key] = key === 'costUsd' ? roundCost(value) : value;
    }
    if (delta.costUsd !== undefined || totals.costUsd !== undefined)
      this.usage.costSource = 'reported';
    this.reportUsage(out);
  }

  /** Replaces the totals that `totals` knows (for agents that report them whole) and reports them. */
  setUsage(out: AgentEvent[], totals: UsageFigures): void {
    this.addUsage(out, {}, totals);
  }

  /** The conversation id and model, once the agent names them; reported with the usage. */
  identify(
    out: AgentEvent[],
    ids: { sessionId?: string | undefined; model?: string | undefined },
  ): void {
    if (ids.sessionId) this.usage.sessionId = ids.sessionId;
    if (ids.model) this.usage.model = ids.model;
    this.reportUsage(out);
  }

  /** The model, when nothing better is known (the launcher's `-m`, a result's only model). */
  defaultModel(model: string | undefined): void {
    if (model && this.usage.model === undefined) this.usage.model = model;
  }

  get sessionId(): string | undefined {
    return this.usage.sessionId;
  }

  private reportUsage(out: AgentEvent[]): void {
    const usage = this.currentUsage();
    if (Object.keys(usage).length === 1) return; // nothing known but the null cost source
    const json = JSON.stringify(usage);
    if (json === this.lastReported) return;
    this.lastReported = json;
    out.push({ kind: 'usage', ...usage });
  }

  private currentUsage(): Usage {
    const usage: Usage = { costSource: this.usage.costSource };
    for (const key of FIGURES) {
      const value = this.usage[key];
      if (value !== undefined) usage[key] = value;
    }
    if (this.usage.sessionId !== undefined) usage.sessionId = this.usage.sessionId;
    if (this.usage.model !== undefined) usage.model = this.usage.model;
    return usage;
  }

  summary(): AgentSummary {
    const usage = this.currentUsage();
    const s: AgentSummary = {
      resultText: this.resultText,
      success: this.success,
      denials: [...this.denials],
      usage,
      lastActivity: this.lastActivity,
      errorText: this.errorText,
    };
    if (usage.inputTokens !== undefined) s.inputTokens = usage.inputTokens;
    if (usage.outputTokens !== undefined) s.outputTokens = usage.outputTokens;
    if (usage.costUsd !== undefined) s.costUsd = usage.costUsd;
    return s;
  }
}

/** Dollar sums keep 9 decimals: step costs such as 0.0123 + 0.0081 add up without float dust. */
function roundCost(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/**
 * This run's figures from totals that cover a whole resumed session, given the session's
 * earlier runs. When a total is below what came before (the session was not the one
 * expected), the totals are taken as they are.
 */
export function sinceBefore(totals: UsageFigures, before: UsageFigures | undefined): UsageFigures {
  if (!before) return totals;
  const out: UsageFigures = {};
  for (const key of FIGURES) {
    const value = totals[key];
    if (value === undefined) continue;
    const prior = before[key] ?? 0;
    if (value < prior) return totals;
    out[key] = key === 'costUsd' ? roundCost(value - prior) : value - prior;
  }
  return out;
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
