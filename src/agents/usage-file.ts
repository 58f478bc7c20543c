// The usage a custom agent reports itself: a small JSON file at $YM_USAGE_FILE, written by the
// agent before it exits (docs/agents.md, "The usage file"). Parsed with zod, each problem
// reported by field path; a missing or empty file means the usage is unknown.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { WorkFailedError } from '../core/errors.js';
import { formatIssues } from '../core/zod-errors.js';
import type { Usage } from './adapters/types.js';

/** The variable that tells an agent where to write its usage. */
export const USAGE_FILE_ENV = 'YM_USAGE_FILE';
/** A usage file is a handful of numbers; anything bigger is not one. */
const MAX_BYTES = 64 * 1024;

// Checks such as `int` do not carry the input for formatIssues, so the message shows it.
const saying = (text: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? text : `${text} (got ${JSON.stringify(issue.input)})`;
const TOKENS = saying('expected a whole number of tokens, 0 or more');
const DOLLARS = saying('expected US dollars, 0 or more');
const tokens = z.number({ error: TOKENS }).int({ error: TOKENS }).nonnegative({ error: TOKENS });
const name = z.string().min(1).max(200);

export const UsageFileSchema = z
  .strictObject({
    inputTokens: tokens.optional().describe('prompt tokens, cache reads and writes included'),
    outputTokens: tokens.optional().describe('output tokens, reasoning included'),
    cacheReadTokens: tokens
      .optional()
      .describe('the part of inputTokens read from the prompt cache'),
    cacheWriteTokens: tokens
      .optional()
      .describe('the part of inputTokens written to the prompt cache'),
    costUsd: z
      .number({ error: DOLLARS })
      .nonnegative({ error: DOLLARS })
      .optional()
      .describe('US dollars for this run'),
    sessionId: name.optional().describe("the agent's conversation id, for resuming it"),
    model: name.optional().describe('the model used, as the provider names it'),
  })
  .superRefine((u, ctx) => {
    const cached = (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
    if (u.inputTokens !== undefined && cached > u.inputTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['inputTokens'],
        message: `is ${u.inputTokens}, but it includes the cache tokens (cacheReadTokens + cacheWriteTokens = ${cached})`,
      });
    }
  });

export type UsageFile = z.output<typeof UsageFileSchema>;

export class UsageFileError extends WorkFailedError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} (${USAGE_FILE_ENV}) is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      hint: 'See docs/agents.md, "The usage file", for the fields and their types.',
    });
  }
}

/** The usage in a usage file's text; null when the text is blank (nothing reported). */
export function parseUsageFile(text: string, file: string): Usage | null {
  if (!text.trim()) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageFileError(file, [`not valid JSON (${(err as Error).message})`]);
  }
  const result = UsageFileSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const known = Object.keys(UsageFileSchema.shape);
    throw new UsageFileError(
      file,
      formatIssues(result.error.issues, () => known),
    );
  }
  const { costUsd, ...rest } = result.data;
  return costUsd === undefined
    ? { ...rest, costSource: null }
    : { ...rest, costUsd, costSource: 'reported' };
}

/** Reads a usage file; null when it does not exist or is empty (the usage is unknown). */
export function readUsageFile(file: string): Usage | null {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_BYTES) {
      throw new UsageFileError(file, [
        `${bytes.length} bytes; a usage file is at most ${MAX_BYTES}`,
      ]);
    }
    text = bytes.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseUsageFile(text, file);
}

/**
 * Usage from two sources (the output parser's and the usage file's): each field the second
 * knows wins, so a wrapper's own report corrects what its output showed.
 */
export function mergeUsage(first: Usage, second: Usage | null): Usage {
  if (!second) return first;
  const merged: Usage = { ...first };
  for (const [key, value] of Object.entries(second) as [keyof Usage, Usage[keyof Usage]][]) {
    if (key !== 'costSource' && value !== undefined) Object.assign(merged, { [key]: value });
  }
  if (second.costUsd !== undefined) merged.costSource = second.costSource;
  return merged;
}
