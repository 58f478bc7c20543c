// aider, `aider --message-file F --yes-always ...`: no structured output, so its plain text
// is read by the lines aider itself prints (aider/coders/base_coder.py): "Applied edit to
// <file>", "Tokens: 2.5k sent, 1.1k cache hit, 253 received. Cost: $0.01 message, $0.03
// session.", "Commit <sha> <message>" and litellm errors. Anything else is activity, and
// the model's reply: aider prints each reply, then its Tokens line, so the final message is
// the text before the last Tokens line, without aider's own lines.
// Usage: the banner's "Main model:" names the model; each Tokens line adds that message's
// tokens, and its Cost part (which may come on a line of its own) gives aider's running
// session total, which is this run's since each run is a new aider process. No session id.
import { RunState, lineParser } from './base.js';
import { isPrintable, visibleText } from './lines.js';
import { textOf } from './text.js';
import type { AgentEvent, OutputParser, ParserOptions, UsageFigures } from './types.js';

const APPLIED = /^Applied edit to (.+)$/;
const TOKENS = /^Tokens: /;
const COST = /Cost: \$([\d.]+) message, \$([\d.]+) session\./;
const MAIN_MODEL = /^Main model: (\S+)/;
const RULE = /^[-─━=_*]{3,}$/;
const ERRORS = [
  /^litellm\.\w+/, // litellm.AuthenticationError: ..., litellm.RateLimitError: ...
  /^(Error|Exception)\b/,
  /has hit a token limit/,
  /^The LLM did not conform to the edit format/,
  /^(Failed|Unable) to apply edit/,
  /^The API provider has rate limited you/,
];
// What aider itself prints around the replies: the start-up banner, commits, help links.
const OWN = [
  /^Aider v\d/,
  /^(Main|Weak|Editor) model: /,
  /^Git repo: /,
  /^Repo-map: /,
  /^Added .+ to the chat/,
  /^Commit [0-9a-f]{7,} /,
  /^https:\/\/aider\.chat\//,
];
/** A reply longer than this (in UTF-16 units) keeps its beginning only. */
const MAX_REPLY_LENGTH = 1024 * 1024;

export function createAiderParser(options: ParserOptions = {}): OutputParser {
  const state = new RunState();
  state.defaultModel(options.model);
  const reply = new Reply();
  return lineParser(
    state,
    (line, out) => {
      const text = textOf(line);
      if (text === null) {
        reply.add(visibleText(line.text));
        return;
      }
      if (RULE.test(text)) {
        reply.add(visibleText(line.text)); // a markdown rule, or a SEARCH/REPLACE divider
        return;
      }
      if (TOKENS.test(text) || COST.test(text)) {
        // A reply ends with its Tokens line; the Cost line may follow on its own.
        if (TOKENS.test(text)) state.resultText = reply.take() ?? state.resultText;
        usage(state, out, text);
        return;
      }
      const model = MAIN_MODEL.exec(text);
      if (model) state.identify(out, { model: model[1] });
      const applied = APPLIED.exec(text);
      if (applied) {
        state.activity(out, `Edit ${applied[1] ?? ''}`);
        return;
      }
      if (ERRORS.some((re) => re.test(text))) {
        state.warn(out, text);
        return;
      }
      if (!OWN.some((re) => re.test(text))) reply.add(visibleText(line.text));
      state.activity(out, text);
    },
    () => {
      // A reply with no Tokens line after it (aider stopped early) is the last one only if
      // no reply was ever finished.
      if (state.resultText === null) state.resultText = reply.take();
    },
  );
}

/** The lines of the reply being printed, blank lines kept (they matter in markdown). */
class Reply {
  private lines: string[] = [];
  private length = 0;

  add(line: string): void {
    if (this.length > MAX_REPLY_LENGTH || !isPrintable(line)) return;
    this.lines.push(line.trimEnd());
    this.length += line.length + 1;
  }

  /** The reply so far, trimmed, or null when it has no text; starts the next one. */
  take(): string | null {
    const text = this.lines.join('\n').trim();
    this.lines = [];
    this.length = 0;
    return text || null;
  }
}

/** Token counts per message are added up; the session cost is aider's own running total. */
function usage(state: RunState, out: AgentEvent[], text: string): void {
  const cost = COST.exec(text);
  const session = cost ? Number(cost[2]) : undefined;
  if (!TOKENS.test(text)) {
    if (session !== undefined) state.setUsage(out, { costUsd: session });
    return;
  }
  const sent = tokens(text, 'sent');
  const hit = tokens(text, 'cache hit');
  const write = tokens(text, 'cache write');
  const received = tokens(text, 'received');
  // "sent" holds the prompt and cache writes; cache hits are counted apart (base_coder.py).
  const step: UsageFigures = {};
  if (sent !== undefined) step.inputTokens = sent + (hit ?? 0);
  if (received !== undefined) step.outputTokens = received;
  if (hit !== undefined) step.cacheReadTokens = hit;
  if (write !== undefined) step.cacheWriteTokens = write;
  state.addUsage(out, step, session === undefined ? {} : { costUsd: session });
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
