// `merge`: run the merge queue over the ready tracks (or show what it would do with --dry-run).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { requireConfig } from '../config/require.js';
import { assertTrackId } from '../core/track.js';
import { readTrackFiles } from '../tracks/files.js';
import { requireTrust } from '../config/trust.js';
import { refExists } from '../git/worktrees.js';
import { createRunEnv, branchFor } from '../runtime/env.js';
import { recoverMerges } from './recover.js';
import { plainReporter } from '../runtime/reporter.js';
import { repoCommands } from '../config/commands.js';
import { createProvider, type ProviderName } from '../vcs/index.js';
import { MergeQueue } from './merge-queue.js';
import { conflictRadar } from '../merge/radar.js';
import { approvalFacts } from '../approval/facts.js';
import { decideApproval } from '../flow/approval.js';
import { nextSlot, windowLimit } from '../flow/window.js';
import { availableParallelism } from 'node:os';

export interface MergeOptions {
  ids: string[];
  provider?: ProviderName | undefined;
  dryRun: boolean;
  /** --speculate: merge.speculate for this run. */
  speculate?: number | undefined;
}

export async function merge(opts: MergeOptions, ctx: Context): Promise<ExitCodeValue> {
  await requireConfig(ctx);
  const repo = await ctx.repo();
  if (opts.ids.length && !existsSync(path.join(repo.stateDir, 'state.db'))) {
    // Nothing has run in this repository: no track can be ready, and there is no state.db
    // to create just to say so.
    const id = assertTrackId(opts.ids[0]!);
    throw readTrackFiles(repo.root).some((f) => f.id === id)
      ? notReady(id, 'planned')
      : unknown(id);
  }
  const loaded = (await ctx.config()).config;
  const env = await createRunEnv(ctx, plainReporter(ctx), {
    config:
      opts.speculate === undefined
        ? loaded
        : { ...loaded, merge: { ...loaded.merge, speculate: opts.speculate } },
  });
  const { store, config, git } = env;
  // A merge killed half-way (kill -9, power loss) left its track "merging" and the lock behind:
  // record it if it landed, else give it back to the queue, before choosing what to merge.
  const recovered = opts.dryRun ? [] : await recoverMerges(env);
  if (recovered.length)
    env.report(null, `recovered ${recovered.length} interrupted merge(s): ${recovered.join(', ')}`);
  for (const id of opts.ids) {
    const t = store.getTrack(assertTrackId(id));
    if (!t) throw unknown(id);
    if (t.state !== 'ready' && t.state !== 'merging') throw notReady(id, t.state);
  }
  if (!(await refExists(git, `refs/heads/${config.target}`))) {
    throw new UsageError(`The target branch "${config.target}" does not exist.`);
  }
  const ready = store
    .listTracks()
    .filter((t) => t.state === 'ready' && (!opts.ids.length || opts.ids.includes(t.id)));
  if (opts.dryRun)
    return dryRun(
      ctx,
      env,
      ready.map((t) => t.id),
    );
  const wouldRun = repoCommands(config, { checks: true, notify: true });
  if (wouldRun.length) await requireTrust(ctx, wouldRun);
  for (const t of ready) store.enqueue(t.id);
  const queue = new MergeQueue(env, await createProvider(env, opts.provider), opts.ids);
  const outcomes = await queue.drain();
  const results = [...outcomes].map(([id, outcome]) => ({
    id,
    outcome,
    state: store.getTrack(id)?.state,
    reason: store.getTrack(id)?.reason ?? null,
    mergedSha: store.getTrack(id)?.mergedSha ?? null,
  }));
  // Ready tracks the gate held back (merge.requireApproval, or a change to what yardmaster runs).
  const awaiting = [...queue.awaiting]
    .filter(([id]) => store.getTrack(id)?.state === 'ready' && outcomes.get(id) !== 'merged')
    .map(([id, why]) => ({ id, why }));
  if (ctx.json)
    ctx.out.json({
      results,
      awaiting,
      target: config.target,
      targetSha: await git(['rev-parse', `refs/heads/${config.target}`]),
      // Check runs the window started (each queue head's own are among them), how many it
      // stopped (built on a candidate that failed), and its setbacks.
      speculation: queue.speculation,
    });
  else {
    if (results.length === 0 && awaiting.length === 0)
      ctx.out.line('Nothing to merge: no ready track whose dependencies are merged.');
    else if (results.length)
      ctx.out.line(
        `${results.filter((r) => r.outcome === 'merged').length}/${results.length} merged into ${config.target}.`,
      );
    for (const a of awaiting) ctx.out.line(`  ${a.id}: waiting — ${a.why}`);
  }
  if (ctx.signal.aborted) return ExitCode.interrupted;
  return awaiting.length ||
    results.some((r) => ['conflicted', 'failed', 'waiting'].includes(r.outcome))
    ? ExitCode.failed
    : ExitCode.ok;
}

function unknown(id: string): UsageError {
  return new UsageError(`Unknown track "${id}".`, { hint: 'List the tracks with `ym status`.' });
}

function notReady(id: string, state: string): UsageError {
  return new UsageError(
    `Track "${id}" is ${state}, not ready: only validated tracks can be merged.`,
    {
      hint: state === 'merged' ? undefined : 'Run `ym implement` to validate it first.',
    },
  );
}

async function dryRun(
  ctx: Context,
  env: Awaited<ReturnType<typeof createRunEnv>>,
  readyIds: string[],
): Promise<ExitCodeValue> {
  const { store, config, git } = env;
  const tracks = new Map(store.listTracks().map((t) => [t.id, t]));
  const queued = store.listQueue().map((q) => q.trackId);
  const order = [
    ...queued.filter((id) => readyIds.includes(id)),
    ...readyIds.filter((id) => !queued.includes(id)),
  ];
  const branches = new Map<string, string>();
  for (const t of tracks.values()) {
    const b = branchFor(config, t.id);
    if (
      ['ready', 'running', 'validating', 'merging'].includes(t.state) &&
      (await refExists(git, `refs/heads/${b}`))
    )
      branches.set(t.id, `refs/heads/${b}`);
  }
  const predictions = await conflictRadar(git, config.target, branches);
  const awaiting = new Map<string, string>();
  for (const id of order) {
    const facts = await approvalFacts(
      { git, run: ctx.run, root: env.repo.root, store, target: config.target },
      id,
      branchFor(config, id),
    );
    const verdict = decideApproval(id, facts, config.merge.requireApproval);
    if (!verdict.ok) awaiting.set(id, verdict.reason);
  }
  const plan = order.map((id) => {
    const t = tracks.get(id)!;
    const waiting = t.dependsOn.filter((d) => tracks.get(d)?.state !== 'merged');
    return {
      id,
      waitingOn: waiting,
      awaitingApproval: awaiting.get(id) ?? null,
      conflictsWithTarget:
        predictions.find((p) => p.a === config.target && p.b === id)?.paths ?? [],
    };
  });
  const limit = windowLimit(config.merge.speculate, availableParallelism());
  const speculate = env.config.merge.provider === 'local' ? limit : 1;
  // The first window: the queue's order, each place on top of the ones ahead of it (a
  // dependency ahead in the window counts as merged).
  const window: { id: string; after: string[] }[] = [];
  for (;;) {
    const id = nextSlot({
      order: plan
        .filter((p) => !p.awaitingApproval)
        .map((p) => ({ id: p.id, dependsOn: tracks.get(p.id)!.dependsOn })),
      merged: (d) => tracks.get(d)?.state === 'merged',
      chain: window.map((w) => w.id),
      excluded: new Set(),
      size: speculate,
    });
    if (id === null) break;
    window.push({ id, after: window.map((w) => w.id) });
  }
  if (ctx.json) {
    ctx.out.json({
      dryRun: true,
      target: config.target,
      strategy: config.merge.strategy,
      order: plan,
      speculate: { setting: config.merge.speculate, limit: speculate, window },
      predictions,
    });
    return ExitCode.ok;
  }
  if (!plan.length) ctx.out.line('Nothing ready to merge.');
  plan.forEach((p, i) => {
    const notes = [
      p.waitingOn.length ? `waits for ${p.waitingOn.join(', ')}` : '',
      p.awaitingApproval ?? '',
      p.conflictsWithTarget.length
        ? `would conflict with ${config.target} in ${p.conflictsWithTarget.join(', ')}`
        : '',
    ].filter(Boolean);
    ctx.out.line(`${i + 1}. ${p.id}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  });
  if (speculate > 1 && window.length > 1)
    ctx.out.line(
      `window (${speculate} at once): ${window.map((w) => (w.after.length ? `${w.id} on ${w.after.join('+')}` : `${w.id} on ${config.target}`)).join(', ')}`,
    );
  for (const p of predictions.filter((x) => x.a !== config.target))
    ctx.out.line(`predicted conflict: ${p.a} <-> ${p.b} in ${p.paths.join(', ')}`);
  return ExitCode.ok;
}
