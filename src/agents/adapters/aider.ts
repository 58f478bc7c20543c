// aider, `aider --message-file F --yes-always ...`: no structured output, so its plain text
// is read by the lines aider itself prints (aider/coders/base_coder.py): "Applied edit to
// <file>", "Tokens: 2.5k sent, 1.1k cache hit, 253 received. Cost: $0.01 message, $0.03
// session.", "Commit <sha> <message>" and litellm errors. Anything else is activity.
import { RunState, lineParser } from './base.js';
import { textOf } from './text.js';
import type { AgentEvent, OutputParser } from './types.js';

const APPLIED = /^Applied edit to (.+)$/;
const TOKENS = /^Tokens: /;
const COST = /Cost: \$([\d.]+) message, \$([\d.]+) session\./;
const RULE = /^[-─━=_*]{3,}$/;
const ERRORS = [
  /^litellm\.\w+/, // litellm.AuthenticationError: ..., litellm.RateLimitError: ...
  /^(Error|Exception)\b/,
  /has hit a token limit/,
  /^The LLM did not conform to the edit format/,
  /^(Failed|Unable) to apply edit/,
  /^The API provider has rate limited you/,
];

export function createAiderParser(): OutputParser {
  const state = new RunState();
  return lineParser(state, (line, out) => {
    const text = textOf(line);
    if (text === null || RULE.test(text)) return;
    if (TOKENS.test(text) || COST.test(text)) {
      usage(state, out, text);
      return;
    }
    const applied = APPLIED.exec(text);
    if (applied) {
      state.activity(out, `Edit ${applied[1] ?? ''}`);
      return;
    }
    if (ERRORS.some((re) => re.test(text))) {
      state.warn(out, text);
      return;
    }
    state.activity(out, text);
  });
}

/** Token counts per message are added up; the session cost is aider's own running total. */
function usage(state: RunState, out: AgentEvent[], text: string): void {
  const cost = COST.exec(text);
  if (cost) state.costUsd = Number(cost[2]);
  if (!TOKENS.test(text)) {
    state.setUsage(out, undefined, undefined);
    return;
  }
  const sent = tokens(text, 'sent');
  const hit = tokens(text, 'cache hit');
  const received = tokens(text, 'received');
  state.addUsage(out, sent === undefined ? undefined : sent + (hit ?? 0), received);
}

/** `2.5k sent` -> 2500, `1,234 sent` -> 1234 (aider's format_tokens, old and new). */
export function tokens(text: string, label: string): number | undefined {
  const m = new RegExp(`([\\d.,]+)([kKmM]?) ${label}\\b`).exec(text);
  if (!m) return undefined;
  const n = Number((m[1] ?? '').replace(/,/g, ''));
  if (!Number.isFinite(n)) return undefined;
  const scale = m[2] === 'k' || m[2] === 'K' ? 1e3 : m[2] === 'm' || m[2] === 'M' ? 1e6 : 1;
  return Math.round(n * scale);
}
