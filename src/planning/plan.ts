// `plan`: split an objective into tracks, from a file (no agent) or from the planner agent;
// everything is validated before any track folder or row is written.
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { topoOrder } from '../core/graph.js';
import { requireConfig } from '../config/require.js';
import { buildTrackDocs } from '../tracks/build.js';
import { registerTracks, validateNewTracks } from '../tracks/register.js';
import { readTrackFiles } from '../tracks/files.js';
import { confirm } from '../cli/prompt.js';
import { readUserFile } from '../cli/user-file.js';
import { assertScopeInside, parsePlanFileText, type PlanFile } from './plan-file.js';
import { planWithAgent } from './planner.js';

export interface PlanOptions {
  objective?: string | undefined;
  from?: string | undefined;
  agent?: string | undefined;
}

export async function plan(opts: PlanOptions, ctx: Context): Promise<void> {
  const repo = await ctx.repo();
  await requireConfig(ctx);
  let planFile: PlanFile;
  let source: string;
  if (opts.from !== undefined) {
    const file = path.resolve(ctx.cwd, opts.from);
    const text = readUserFile(file, '--from');
    // Named as the user would find it: relative when under the working directory, else absolute.
    const rel = path.relative(ctx.cwd, file);
    source = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
    planFile = parsePlanFileText(text, source);
  } else {
    const objective = opts.objective?.trim();
    if (!objective) {
      throw new UsageError(
        'Say what to plan: ym plan "<objective>", or give a file with --from FILE.',
      );
    }
    source = 'planner';
    planFile = await planWithAgent(ctx, { objective, agent: opts.agent });
  }
  const objective = opts.objective?.trim() || planFile.objective;
  assertScopeInside(planFile, repo.root, source);
  const docs = planFile.tracks.map((t) => buildTrackDocs({ ...t, objective }, ctx.clock));
  // Validate before asking, so the question is only asked about a plan that can be written.
  validateNewTracks(readTrackFiles(repo.root), docs, source);
  const order = topoOrder(new Map(docs.map((d) => [d.meta.id, d.meta.dependsOn])));
  const byId = new Map(docs.map((d) => [d.meta.id, d]));
  if (ctx.interactive && !ctx.yes) {
    ctx.out.line(`${docs.length} track(s) for: ${objective ?? '(no objective)'}`);
    for (const id of order) printTrack(ctx, byId.get(id)!.meta);
    if (!(await confirm(ctx, 'Write these tracks?', true))) {
      ctx.out.line('Nothing written.');
      return;
    }
  }
  await registerTracks(ctx, docs, source);
  if (ctx.json) {
    ctx.out.json({ objective: objective ?? null, tracks: order.map((id) => byId.get(id)!.meta) });
    return;
  }
  ctx.out.line(`Planned ${docs.length} track(s)${objective ? ` for: ${objective}` : ''}`);
  for (const id of order) printTrack(ctx, byId.get(id)!.meta);
  ctx.out.info('Next: review yardmaster/tracks/*/spec.md, commit them, then `ym implement`.');
}

function printTrack(
  ctx: Context,
  t: { id: string; title: string; type: string; dependsOn: readonly string[] },
): void {
  const deps = t.dependsOn.length ? ctx.out.c.dim(` (after ${t.dependsOn.join(', ')})`) : '';
  ctx.out.line(`  ${ctx.out.c.bold(t.id)}  ${t.type}  ${t.title}${deps}`);
}
