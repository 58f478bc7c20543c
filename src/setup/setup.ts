// `ym setup`: writes yardmaster.json and the context documents (yardmaster/*.md) from templates/,
// or imports a Conductor project with --from-conductor; with --ci, the CI job (src/setup/ci.ts);
// with --hooks, the git hooks. Everything is validated before the first file is written, and
// existing files are replaced only with --force. In a repository that is already set up,
// `setup --ci`/`--hooks` do just that part and leave yardmaster.json and the documents alone.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import type { TrackFile } from '../core/track.js';
import { CONFIG_FILE, parseConfigText } from '../config/load.js';
import { readTrackFiles, trackDocsPath, DOCS_DIR, type TrackDocs } from '../tracks/files.js';
import { buildTrackDocs } from '../tracks/build.js';
import { registerTracks } from '../tracks/register.js';
import { askAnswers, detectAnswers, type SetupAnswers } from './answers.js';
import {
  CONDUCTOR_DIR,
  CONTEXT_DOCS,
  readConductorProject,
  type ConductorProject,
} from './conductor.js';
import { renderTemplate } from './templates.js';
import { planCi, type CiPlan } from './ci.js';
import { installHooks, type HookChange } from '../hooks/install.js';

export interface SetupOptions {
  fromConductor: boolean;
  ci?: 'github' | 'gitlab';
  hooks: boolean;
  force: boolean;
}

/** The files setup owns, relative to the repository root, forward slashes. */
export const SETUP_FILES: readonly string[] = [
  CONFIG_FILE,
  ...CONTEXT_DOCS.map((d) => `${DOCS_DIR}/${d}`),
];

export async function setup(opts: SetupOptions, ctx: Context): Promise<void> {
  const repo = await ctx.repo();
  const root = repo.root;
  const existing = SETUP_FILES.filter((f) => existsSync(path.join(root, f)));
  const extrasOnly =
    existing.length > 0 && !opts.fromConductor && (opts.ci !== undefined || opts.hooks);
  if (existing.length > 0 && !opts.force && !extrasOnly) {
    throw new UsageError(
      `yardmaster is already set up here: ${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}.`,
      {
        hint: 'Run `ym setup --force` to overwrite them (track folders are never touched), or edit them by hand.',
      },
    );
  }
  // The CI file is planned (and refused) before anything at all is written.
  const ci =
    opts.ci !== undefined
      ? planCi(root, opts.ci, (await ctx.config()).config.branchPrefix, opts.force)
      : null;
  if (extrasOnly) {
    if (!ctx.json)
      ctx.out.info(
        `yardmaster is already set up here (${existing[0] ?? ''}); leaving its files alone.`,
      );
    const hooks = await writeExtras(ctx, root, ci, opts.hooks);
    if (ctx.json)
      ctx.out.json({ written: ci ? [ci.file] : [], skipped: [], ...extrasJson(ci, hooks) });
    return;
  }

  const conductor = opts.fromConductor ? readConductor(root) : null;
  const defaults = await detectAnswers(root, repo.name, ctx);
  const answers =
    ctx.interactive && !ctx.yes
      ? await askAnswers(
          defaults,
          { input: process.stdin, output: ctx.out.stderr, signal: ctx.signal },
          (b) => checkBranchName(b, root, ctx),
        )
      : defaults;
  const badTarget = await checkBranchName(answers.target, root, ctx);
  if (badTarget !== null) {
    throw new UsageError(badTarget, {
      hint: 'Check out the branch tracks should merge into, then run setup again.',
    });
  }
  if (answers.target !== defaults.target && !(await branchExists(answers.target, root, ctx))) {
    ctx.out.warn(
      `branch "${answers.target}" does not exist yet; create it before \`ym implement\`.`,
    );
  }

  const configText = renderConfig(answers);
  parseConfigText(configText, CONFIG_FILE);
  const files = new Map<string, string>([[CONFIG_FILE, configText]]);
  const vars = templateVars(answers);
  for (const doc of CONTEXT_DOCS) {
    files.set(`${DOCS_DIR}/${doc}`, conductor?.docs[doc] ?? renderTemplate(doc, vars));
  }

  // Tracks first: registerTracks validates the batch against the database and is all-or-nothing.
  const batch = conductor ? conductorTrackDocs(conductor, ctx) : [];
  if (batch.length > 0) await registerTracks(ctx, batch, `${CONDUCTOR_DIR}/ import`);
  mkdirSync(path.join(root, DOCS_DIR), { recursive: true });
  for (const [rel, text] of files) writeFileSync(path.join(root, rel), text);
  const hooks = await writeExtras(ctx, root, ci, opts.hooks);

  const written = [
    ...files.keys(),
    ...(ci ? [ci.file] : []),
    ...batch.map((t) => `${trackDocsPath(t.meta.id)}/`),
  ];
  const skipped = conductor?.skipped ?? [];
  if (ctx.json) {
    ctx.out.json({
      written,
      skipped,
      ...extrasJson(ci, hooks),
      ...(conductor
        ? {
            tracks: batch.map((t) => ({
              id: t.meta.id,
              title: t.meta.title,
              type: t.meta.type,
              source: t.meta.source,
            })),
          }
        : {}),
    });
    return;
  }
  report(ctx, [...files.keys()], batch, skipped, conductor);
}

/** Writes the CI file and installs the hooks (each only when asked), and says what it did. */
async function writeExtras(
  ctx: Context,
  root: string,
  ci: CiPlan | null,
  hooks: boolean,
): Promise<HookChange[] | null> {
  if (ci) {
    mkdirSync(path.dirname(path.join(root, ci.file)), { recursive: true });
    writeFileSync(path.join(root, ci.file), ci.text);
    if (!ctx.json) {
      const how = {
        created: 'Wrote',
        replaced: 'Replaced',
        merged: 'Added the yardmaster job to',
        updated: 'Updated the yardmaster job in',
      };
      ctx.out.line(`${how[ci.action]} ${ci.file}`);
      for (const note of ci.notes) ctx.out.info(`  note: ${note}`);
    }
  }
  if (!hooks) return null;
  const result = await installHooks(ctx);
  if (!ctx.json) {
    ctx.out.line(
      `Installed git hooks in ${result.dir.dir}: ${result.changes.map((c) => `${c.name} (${c.action})`).join(', ')}`,
    );
  }
  return result.changes;
}

function extrasJson(ci: CiPlan | null, hooks: HookChange[] | null): Record<string, unknown> {
  return {
    ...(ci ? { ci: { file: ci.file, action: ci.action, notes: ci.notes } } : {}),
    ...(hooks ? { hooks } : {}),
  };
}

function readConductor(root: string): ConductorProject {
  const tracks = readTrackFiles(root);
  const imported = new Map<string, string>();
  for (const t of tracks) {
    if (t.source?.startsWith('conductor:')) imported.set(t.source.slice('conductor:'.length), t.id);
  }
  return readConductorProject(root, { existingIds: new Set(tracks.map((t) => t.id)), imported });
}

function conductorTrackDocs(project: ConductorProject, ctx: Pick<Context, 'clock'>): TrackDocs[] {
  return project.tracks.map((t) => {
    const meta: TrackFile = {
      id: t.id,
      title: t.title,
      type: t.type,
      dependsOn: [],
      createdAt: t.createdAt ?? ctx.clock.now().toISOString(),
      source: `conductor:${t.originalId}`,
    };
    // A Conductor track without spec.md gets the skeleton a new track would have.
    const spec =
      t.spec ??
      buildTrackDocs({ id: t.id, title: t.title, type: t.type, dependsOn: [] }, ctx.clock).spec;
    return { meta, spec, plan: t.plan };
  });
}

/** null when `branch` can be a branch name; otherwise why not. Never passed to git as an option. */
async function checkBranchName(
  branch: string,
  root: string,
  ctx: Pick<Context, 'run'>,
): Promise<string | null> {
  const r = await ctx.run('git', ['check-ref-format', `refs/heads/${branch}`], {
    cwd: root,
    reject: false,
  });
  return r.exitCode === 0 && branch.trim() === branch && branch !== ''
    ? null
    : `"${branch}" is not a valid branch name for the target`;
}

async function branchExists(
  branch: string,
  root: string,
  ctx: Pick<Context, 'run'>,
): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  const r = await ctx.run('git', ['rev-parse', '--verify', '--quiet', ref], {
    cwd: root,
    reject: false,
  });
  return r.exitCode === 0;
}

/** A short, readable yardmaster.json: only the keys setup decided; the rest keep their defaults. */
export function renderConfig(answers: SetupAnswers): string {
  const config = {
    target: answers.target,
    agent: answers.agent,
    checks: answers.testCommand === '' ? [] : [{ name: 'test', run: answers.testCommand }],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function templateVars(answers: SetupAnswers): Record<string, string> {
  const stack = answers.stack
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    name: answers.name,
    description:
      answers.description !== ''
        ? answers.description
        : `_Describe ${answers.name} in one or two sentences: what it does, and for whom._`,
    stack:
      stack.length > 0
        ? stack.map((s) => `- ${s}`).join('\n')
        : '- _The languages and runtimes in use, with their versions._',
    checks:
      answers.testCommand !== ''
        ? `\`${answers.testCommand}\` (from \`checks\` in yardmaster.json).`
        : 'none configured yet; add them to `checks` in yardmaster.json.',
    target: answers.target,
    agent: answers.agent,
  };
}

function report(
  ctx: Context,
  files: readonly string[],
  batch: readonly TrackDocs[],
  skipped: readonly string[],
  conductor: ConductorProject | null,
): void {
  const { out } = ctx;
  out.line('Wrote:');
  for (const f of files) out.line(`  ${f}`);
  if (conductor) {
    out.line(
      batch.length === 0
        ? 'Imported no Conductor tracks.'
        : `Imported ${batch.length} Conductor track${batch.length === 1 ? '' : 's'}:`,
    );
    const width = Math.max(0, ...batch.map((t) => t.meta.id.length));
    for (const t of batch) {
      const from = t.meta.source?.slice('conductor:'.length) ?? '';
      out.line(
        `  ${t.meta.id.padEnd(width)}  ${t.meta.title}  (from ${CONDUCTOR_DIR}/tracks/${from})`,
      );
    }
    if (skipped.length > 0) {
      out.line('Skipped:');
      for (const s of skipped) out.line(`  ${s}`);
    }
    const copied = CONTEXT_DOCS.filter((d) => conductor.docs[d] !== undefined);
    if (copied.length > 0) {
      out.info(
        `Copied from ${CONDUCTOR_DIR}/: ${copied.join(', ')}. Review them: they were written for Conductor.`,
      );
    }
  }
  out.info(`Next: review ${DOCS_DIR}/*.md, then create a track: ym new-track "Add a feature"`);
}
