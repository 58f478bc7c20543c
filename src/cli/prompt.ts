// Questions on a terminal. Callers only ask when ctx.interactive; never blocks without a TTY.
import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';

export async function ask(ctx: Context, question: string, fallback: string): Promise<string> {
  if (!ctx.interactive) return fallback;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question}${fallback ? ` (${fallback})` : ''}: `, {
      signal: ctx.signal,
    });
    return answer.trim() || fallback;
  } finally {
    rl.close();
  }
}

export async function confirm(ctx: Context, question: string, fallback: boolean): Promise<boolean> {
  if (!ctx.interactive) return fallback;
  const answer = (await ask(ctx, `${question} [${fallback ? 'Y/n' : 'y/N'}]`, '')).toLowerCase();
  if (!answer) return fallback;
  return answer === 'y' || answer === 'yes';
}
