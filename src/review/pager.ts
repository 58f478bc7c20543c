// Paging `ym review` as git pages `git diff`: through $PAGER (default `less -R`, with LESS=FRX
// when unset, so a short review prints and exits), only when stdout is a terminal, never with
// --json or under CI. $PAGER is the user's own command from their environment, so it is given to
// the shell as git does; nothing from the repository or the branch reaches it but the text on stdin.
import type { Context } from '../context.js';
import { isCI } from '../core/env.js';

export const DEFAULT_PAGER = 'less -R';

/** The pager to use, or null to print directly. */
export function choosePager(opts: {
  env: NodeJS.ProcessEnv;
  json: boolean;
  isTTY: boolean;
}): string | null {
  if (opts.json || !opts.isTTY || isCI(opts.env)) return null;
  const pager = (opts.env.PAGER ?? DEFAULT_PAGER).trim();
  return pager === '' || pager === 'cat' ? null : pager;
}

/** Prints `text` on stdout, through the pager when there should be one. */
export async function page(text: string, ctx: Context): Promise<void> {
  const pager = choosePager({ env: ctx.env, json: ctx.json, isTTY: ctx.out.stdout.isTTY === true });
  if (pager !== null) {
    try {
      const r = await ctx.run(pager, [], {
        shell: true,
        input: `${text}\n`,
        inheritOutput: true,
        reject: false,
        env: { LESS: ctx.env.LESS ?? 'FRX', LV: ctx.env.LV ?? '-c' },
      });
      if (r.exitCode !== 127) return;
    } catch {
      // Could not start it: print directly below.
    }
    ctx.out.warn(`could not run the pager \`${pager}\` ($PAGER); printing directly`);
  }
  ctx.out.line(text);
}
