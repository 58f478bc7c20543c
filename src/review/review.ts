// `ym review ID [--json]`: what a track would land (or landed), for a human to read before it
// does: the summary and the unified diff, paged on a terminal, or one JSON document (docs/review.md).
// Read-only: nothing in state.db, the repository or its worktrees changes.
import type { Context } from '../context.js';
import { gatherReview } from './gather.js';
import { page } from './pager.js';
import { renderReview } from './render.js';

export interface ReviewOptions {
  id: string;
}

export async function review(opts: ReviewOptions, ctx: Context): Promise<void> {
  const r = await gatherReview(opts.id, ctx);
  if (ctx.json) {
    ctx.out.json(r.doc);
    return;
  }
  await page(renderReview(r, ctx.out.c), ctx);
}
