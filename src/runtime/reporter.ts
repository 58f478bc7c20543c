// Progress lines for long commands: `12:03:44 slugify running attempt 2/3 (claude)`.
import type { Context } from '../context.js';

export type Report = (trackId: string | null, text: string) => void;

export function plainReporter(ctx: Context): Report {
  return (trackId, text) => {
    const time = ctx.clock.now().toTimeString().slice(0, 8);
    const line = `${ctx.out.c.dim(time)} ${trackId ? `${ctx.out.c.bold(trackId)} ` : ''}${text}`;
    // With --json, stdout is reserved for the one JSON document.
    if (ctx.json) ctx.out.info(line);
    else ctx.out.line(line);
  };
}
