// `new-track`: one track with spec.md and plan.md from templates.
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { TRACK_TYPES, TrackType, assertTrackId, slugifyTitle, uniqueId } from '../core/track.js';
import { RepoPath } from '../core/track.js';
import { readTrackFiles, trackDocsPath } from './files.js';
import { buildTrackDocs } from './build.js';
import { registerTracks } from './register.js';
import { requireConfig } from '../config/require.js';
import { readUserFile } from '../cli/user-file.js';

export interface NewTrackOptions {
  title: string;
  id?: string;
  type?: string;
  dependsOn?: string[];
  scope?: string[];
  specFile?: string;
}

export async function newTrack(opts: NewTrackOptions, ctx: Context): Promise<void> {
  const repo = await ctx.repo();
  await requireConfig(ctx);
  const title = opts.title.trim();
  if (!title)
    throw new UsageError('The track title is empty.', {
      hint: 'ym new-track "Add slugify helper"',
    });
  if (/[\r\n]/.test(title)) throw new UsageError('The track title must be one line.');
  if (title.length > 200)
    throw new UsageError(`The track title is ${title.length} characters long (at most 200).`);
  const type = TrackType.safeParse(opts.type ?? 'feature');
  if (!type.success) {
    throw new UsageError(`Unknown track type ${JSON.stringify(opts.type)}.`, {
      hint: `Use one of: ${TRACK_TYPES.join(', ')}.`,
    });
  }
  const existing = readTrackFiles(repo.root);
  const taken = new Set(existing.map((t) => t.id));
  const id =
    opts.id !== undefined
      ? assertTrackId(opts.id, '--id')
      : uniqueId(slugifyTitle(title), (candidate) => taken.has(candidate));
  const dependsOn = [
    ...new Set((opts.dependsOn ?? []).map((d) => assertTrackId(d, '--depends-on'))),
  ];
  for (const dep of dependsOn) {
    if (!taken.has(dep)) {
      throw new UsageError(`--depends-on: unknown track "${dep}".`, {
        hint: 'List tracks with `ym status`; create the dependency first.',
      });
    }
  }
  const scope = opts.scope?.map((p) => {
    const r = RepoPath.safeParse(p);
    if (!r.success)
      throw new UsageError(
        `--scope ${JSON.stringify(p)}: ${r.error.issues[0]?.message ?? 'invalid'}.`,
      );
    return r.data;
  });
  let spec: string | undefined;
  if (opts.specFile !== undefined) {
    spec = readUserFile(path.resolve(ctx.cwd, opts.specFile), '--spec-file');
  }
  const docs = buildTrackDocs({ id, title, type: type.data, dependsOn, scope, spec }, ctx.clock);
  await registerTracks(ctx, [docs], 'new-track');
  const where = trackDocsPath(id);
  if (ctx.json) {
    ctx.out.json({
      track: docs.meta,
      dir: where,
      files: [`${where}/spec.md`, `${where}/plan.md`, `${where}/track.json`],
    });
    return;
  }
  ctx.out.line(`Created track ${ctx.out.c.bold(id)}: ${where}/ (spec.md, plan.md, track.json)`);
  ctx.out.info(`Next: edit ${where}/spec.md, commit it, then \`ym implement ${id}\`.`);
}
