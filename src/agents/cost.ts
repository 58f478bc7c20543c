// What a run cost when the agent says how many tokens it used but not what they cost: a
// price per model from the user's `prices` (yardmaster.json) or the built-in table below.
// Pure: no I/O. The result is marked `costSource: 'estimated'`; a reported cost is kept.
import type { PriceSpec } from '../config/schema.js';
import type { Usage, UsageFigures } from './adapters/types.js';

export type Price = PriceSpec;

/**
 * List prices in USD per million tokens, standard tier, as the vendors published them
 * (anthropic.com/pricing, openai.com/api/pricing, ai.google.dev/gemini-api/docs/pricing;
 * read in 2025). Estimates only: no batch or priority tiers, Anthropic's cache writes at the
 * 5-minute rate (1.25x input), Gemini 2.5 Pro and Claude Sonnet 4/4.5 at their rate for
 * prompts up to 200k tokens (long prompts cost more). A missing cache price means input price.
 * A model not in this table (nor in `prices`) gets no estimate: its cost stays unknown.
 */
export const BUILTIN_PRICES: Readonly<Record<string, Price>> = {
  'claude-opus-4-5': {
    inputPerMTok: 5,
    outputPerMTok: 25,
    cacheReadPerMTok: 0.5,
    cacheWritePerMTok: 6.25,
  },
  'claude-opus-4-1': {
    inputPerMTok: 15,
    outputPerMTok: 75,
    cacheReadPerMTok: 1.5,
    cacheWritePerMTok: 18.75,
  },
  'claude-opus-4-0': {
    inputPerMTok: 15,
    outputPerMTok: 75,
    cacheReadPerMTok: 1.5,
    cacheWritePerMTok: 18.75,
  },
  'claude-opus-4': {
    inputPerMTok: 15,
    outputPerMTok: 75,
    cacheReadPerMTok: 1.5,
    cacheWritePerMTok: 18.75,
  },
  'claude-sonnet-4-5': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheReadPerMTok: 0.3,
    cacheWritePerMTok: 3.75,
  },
  'claude-sonnet-4-0': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheReadPerMTok: 0.3,
    cacheWritePerMTok: 3.75,
  },
  'claude-sonnet-4': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheReadPerMTok: 0.3,
    cacheWritePerMTok: 3.75,
  },
  'claude-3-7-sonnet': {
    inputPerMTok: 3,
    outputPerMTok: 15,
    cacheReadPerMTok: 0.3,
    cacheWritePerMTok: 3.75,
  },
  'claude-haiku-4-5': {
    inputPerMTok: 1,
    outputPerMTok: 5,
    cacheReadPerMTok: 0.1,
    cacheWritePerMTok: 1.25,
  },
  'claude-3-5-haiku': {
    inputPerMTok: 0.8,
    outputPerMTok: 4,
    cacheReadPerMTok: 0.08,
    cacheWritePerMTok: 1,
  },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 },
  'gpt-5-codex': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 },
  'gpt-5.1': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 },
  'gpt-5.1-codex': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cacheReadPerMTok: 0.025 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4, cacheReadPerMTok: 0.005 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cacheReadPerMTok: 0.275 },
  'gemini-2.5-pro': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.31 },
  'gemini-2.5-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4, cacheReadPerMTok: 0.025 },
};

export interface FoundPrice {
  price: Price;
  /** The key of the table that matched: a model (family) name or an agent name. */
  key: string;
  from: 'config' | 'builtin';
}

/**
 * The price for a model, most specific first: the user's `prices` by the model's full name,
 * by its name without a provider prefix (`anthropic/claude-...` -> `claude-...`), by family
 * (a key that the name extends with a release date: `claude-sonnet-4-5-20250929` ->
 * `claude-sonnet-4-5`), then by the agent's name; then the built-in table the same way.
 */
export function findPrice(
  model: string | undefined,
  agentName: string | undefined,
  prices: Readonly<Record<string, Price>> = {},
): FoundPrice | null {
  return (
    lookUp(model, agentName, prices, 'config') ??
    lookUp(model, undefined, BUILTIN_PRICES, 'builtin')
  );
}

function lookUp(
  model: string | undefined,
  agentName: string | undefined,
  table: Readonly<Record<string, Price>>,
  from: FoundPrice['from'],
): FoundPrice | null {
  const keys = new Map(Object.keys(table).map((k) => [k.toLowerCase(), k]));
  const hit = (name: string | undefined): FoundPrice | null => {
    const key = name === undefined ? undefined : keys.get(name.toLowerCase());
    const price = key === undefined ? undefined : table[key];
    return key !== undefined && price ? { price, key, from } : null;
  };
  if (model) {
    const bare = model.slice(model.lastIndexOf('/') + 1);
    const found = hit(model) ?? hit(bare) ?? hit(familyOf(model)) ?? hit(familyOf(bare));
    if (found) return found;
  }
  return hit(agentName);
}

/** `claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`, `gpt-5-2025-08-07` -> `gpt-5`. */
function familyOf(model: string): string | undefined {
  const m = /^(.+?)-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/.exec(model);
  return m?.[1];
}

/**
 * The cost of `figures` at `price`, or undefined when input or output tokens are unknown
 * (an estimate from half the figures would pass for a whole one).
 */
export function costAt(figures: UsageFigures, price: Price): number | undefined {
  const { inputTokens, outputTokens } = figures;
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const read = figures.cacheReadTokens ?? 0;
  const write = figures.cacheWriteTokens ?? 0;
  const fresh = Math.max(0, inputTokens - read - write);
  const dollars =
    fresh * price.inputPerMTok +
    read * (price.cacheReadPerMTok ?? price.inputPerMTok) +
    write * (price.cacheWritePerMTok ?? price.inputPerMTok) +
    outputTokens * price.outputPerMTok;
  // Per-million prices to dollars, kept to 9 decimals (no float dust in sums).
  return Math.round(dollars * 1000) / 1e9;
}

/**
 * `usage` with a cost: the reported one when there is one, else an estimate from `prices`
 * (then the built-in table) marked `costSource: 'estimated'`, else unchanged (cost unknown).
 */
export function estimateCost(
  usage: Usage,
  prices: Readonly<Record<string, Price>> = {},
  agentName?: string,
): Usage {
  if (usage.costUsd !== undefined) return usage;
  const found = findPrice(usage.model, agentName, prices);
  const cost = found ? costAt(usage, found.price) : undefined;
  return cost === undefined ? usage : { ...usage, costUsd: cost, costSource: 'estimated' };
}

/** The model an agent's argv asks for: `-m X`, `--model X`, `--model=X`, `-c model=X`. */
export function modelInCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if ((arg === '-m' || arg === '--model') && next) return next;
    if (arg.startsWith('--model=')) return arg.slice('--model='.length) || undefined;
    if ((arg === '-c' || arg === '--config') && next?.startsWith('model=')) {
      return next.slice('model='.length).replace(/^"(.*)"$/, '$1') || undefined;
    }
  }
  return undefined;
}
