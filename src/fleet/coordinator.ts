// `ym implement --engine bullmq`: the coordinator. It takes the same decisions as the local
// engine (flow/schedule.ts for what starts and what is offered to the merge step, flow/graph.ts
// through it, flow/attempts.ts after a failed attempt) over its state.db, and instead of
// calling an activity it adds a job named for it; `ym worker` processes run the activities.
// Each job's progress and result are applied here as the transitions the local engine would
// make, so this state.db mirrors the fleet (`ym status`, with the worker of each track).
import type { Queue } from 'bullmq';
import type { Context } from '../context.js';
import type { Config } from '../config/schema.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { topoOrder } from '../core/graph.js';
import type { TrackFile } from '../core/track.js';
import { syncTrackDefinitions } from '../tracks/register.js';
import { createRunEnv, type RunEnv } from '../runtime/env.js';
import { plainReporter } from '../runtime/reporter.js';
import { sleep } from '../runtime/sleep.js';
import { schedulePass } from '../flow/schedule.js';
import { StateConflictError } from '../state/errors.js';
import type { TrackState } from '../state/lifecycle.js';
import { pendingFeedback } from '../engine/track-loop.js';
import { connect, MERGE_QUEUE, openQueue, TRACKS_QUEUE } from './connection.js';
import { fleetKey } from './fleet-key.js';
import { mergeJobId, trackJobId, type MergeJobData, type TrackJobData } from './jobs.js';
import { maskSecret, resolveRedisUrl } from './redis-url.js';
import { assertRemote, fetchRemote, syncLocalTarget } from './remote-git.js';
import { fleetTiming } from './settings.js';
import { lastWorkers, META_FLEET_SEEN } from './workers-seen.js';
import type { Held } from './apply.js';
import { FLEET_JOB, follow, reattach } from './follow.js';

export interface CoordinateOptions {
  ids: readonly string[];
  agent: string | null;
  fresh: boolean;
}

/** Meta key: the fleet run this clone coordinates, until it ends (a restart re-attaches). */
export const META_FLEET_RUN = 'fleet.run';

const JOB_OPTIONS = {
  // A processor that throws (its worker was interrupted, git failed) runs again elsewhere.
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export async function coordinate(
  ctx: Context,
  config: Config,
  files: readonly TrackFile[],
  opts: CoordinateOptions,
): Promise<ExitCodeValue> {
  const repo = await ctx.repo();
  const target = resolveRedisUrl(ctx.env, repo.root);
  const timing = fleetTiming(ctx.env);
  const plain = plainReporter(ctx);
  const report = (id: string | null, text: string) => plain(id, maskSecret(text, target));
  const env = await createRunEnv(ctx, report, { config });
  const { store, git } = env;
  const remote = config.engine.remote;
  await assertRemote(git, remote, repo.root);
  await fetchRemote(git, remote);
  // The workers work from the remote's target: what this clone planned must be there.
  const local = await git(['rev-parse', `refs/heads/${config.target}`]);
  if (
    !(await git.ok([
      'merge-base',
      '--is-ancestor',
      local,
      `refs/remotes/${remote}/${config.target}`,
    ]))
  )
    throw new UsageError(
      `${config.target} here has commits ${remote}/${config.target} does not (the workers would not see them).`,
      { hint: `Push it first: git push ${remote} ${config.target}` },
    );
  syncTrackDefinitions(store, files);
  const key = await fleetKey(git, remote, config.target);
  const conn = await connect({
    target,
    warn: (t) => report(null, t),
    fleetKey: key,
    name: `coordinator:${process.pid}`,
  });
  ctx.defer(() => conn.close());
  const tracksQ = await openQueue(conn, TRACKS_QUEUE);
  const mergeQ = await openQueue(conn, MERGE_QUEUE);
  ctx.defer(async () => {
    await tracksQ.close();
    await mergeQ.close();
  });
  // Fleet-wide limits: `concurrency` agents at once, one merge step at a time.
  await tracksQ.setGlobalConcurrency(config.concurrency);
  await mergeQ.setGlobalConcurrency(1);
  const run = store.getMeta(META_FLEET_RUN) ?? `r${ctx.clock.now().getTime().toString(36)}`;
  store.setMeta(META_FLEET_RUN, run);
  store.setMeta(META_FLEET_SEEN, '1');
  report(
    null,
    `fleet run ${run} (fleet ${key} on ${target.shown}); concurrency ${config.concurrency} fleet-wide`,
  );
  const held = reattach(env, run);
  if (held.size) report(null, `re-attached to ${held.size} job(s) of run ${run}`);
  const offers = new Map<string, number>();
  const waiting = new Set<string>();
  const selected = () => {
    const rows = store.listTracks();
    const order = topoOrder(new Map(rows.map((r) => [r.id, r.dependsOn])));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const only = opts.ids.length ? new Set(opts.ids) : null;
    return {
      rows,
      tracks: order.map((id) => byId.get(id)!).filter((r) => !only || only.has(r.id)),
    };
  };
  const addJob = async (queue: Queue, h: Held, data: TrackJobData | MergeJobData, delay = 0) => {
    store.appendEvent({ trackId: h.trackId, type: FLEET_JOB, data: { run, ...h } });
    held.set(h.trackId, h);
    await queue.add(h.kind, data, { ...JOB_OPTIONS, jobId: h.job, ...(delay ? { delay } : {}) });
  };
  const startTrack = async (id: string, delay = 0) => {
    const row = store.getTrack(id)!;
    const attempt = Math.max(1, row.attempt);
    const job = trackJobId(run, id, attempt);
    await addJob(
      tracksQ,
      { kind: 'track', job, trackId: id, attempt, taken: false },
      {
        run,
        trackId: id,
        attempt,
        feedback: pendingFeedback(env, id),
        agent: opts.agent,
        fresh: opts.fresh,
      },
      delay,
    );
    report(id, `queued on the fleet (job ${job})`);
  };
  const offer = async (id: string) => {
    const row = store.getTrack(id)!;
    const n = (offers.get(id) ?? 0) + 1;
    offers.set(id, n);
    const headSha = await git([
      'rev-parse',
      `refs/remotes/${remote}/${config.branchPrefix}${id}`,
    ]).catch(() => '');
    const job = mergeJobId(run, id, Math.max(1, row.attempt), n);
    await addJob(
      mergeQ,
      { kind: 'merge', job, trackId: id, attempt: row.attempt, taken: false },
      {
        run,
        trackId: id,
        attempt: Math.max(1, row.attempt),
        headSha: headSha || (row.reason ?? '0000000'),
      },
    );
    report(id, `offered to the merge step (job ${job})`);
  };
  while (!ctx.signal.aborted) {
    const { rows, tracks } = selected();
    const states = new Map<string, TrackState>(rows.map((r) => [r.id, r.state]));
    const pass = schedulePass({
      tracks,
      states,
      active: new Set(held.keys()),
      // A track given back by the merge step is offered again (a few times), after the others.
      offered: new Set([...offers].filter(([, n]) => n >= 3).map(([id]) => id)),
      merging: true,
      overlap: config.scheduling.overlap,
      scopes: new Map(files.flatMap((f) => (f.scope?.length ? [[f.id, f.scope] as const] : []))),
    });
    for (const d of pass.decisions) {
      if (d.kind === 'offer') {
        await fetchRemote(git, remote);
        await offer(d.id);
      } else if (d.kind === 'block') claim(env, d.id, 'blocked', d.from, d.reason);
      else if (d.kind === 'unblock') claim(env, d.id, 'planned', 'blocked', null);
      else if (d.kind === 'wait') {
        if (!waiting.has(d.id)) report(d.id, `waits for ${d.on} to merge: their scopes overlap`);
        waiting.add(d.id);
      } else if (!d.claim || claim(env, d.id, 'queued', 'planned')) await startTrack(d.id);
    }
    if (pass.changed) continue;
    if (held.size === 0) break;
    await sleep(timing.pollMs, ctx.signal);
    for (const h of [...held.values()]) {
      const queue = h.kind === 'track' ? tracksQ : mergeQ;
      // The state first, then the job: a job read before it completed has no return value yet.
      const state = await queue.getJobState(h.job);
      const job = await queue.getJob(h.job);
      if (!job || state === 'unknown') {
        // Removed behind our back (e.g. an `obliterate`): added again under the same id.
        held.delete(h.trackId);
        continue;
      }
      await follow(env, h, job, state, held, { startTrack, report });
    }
  }
  if (ctx.signal.aborted) {
    report(
      null,
      `stopped following run ${run}; its jobs go on on the workers (run again to re-attach)`,
    );
    return ExitCode.interrupted;
  }
  store.setMeta(META_FLEET_RUN, null);
  // This clone's target follows what the fleet merged.
  await fetchRemote(git, remote);
  await syncLocalTarget(git, remote, config.target).catch((err: unknown) =>
    report(
      null,
      `${config.target} here was not fast-forwarded: ${err instanceof Error ? err.message : String(err)}`,
    ),
  );
  return summarize(ctx, env, opts.ids, run);
}

function claim(
  env: RunEnv,
  id: string,
  to: TrackState,
  from: TrackState,
  reason?: string | null,
): boolean {
  try {
    env.store.transition(id, to, { from, ...(reason !== undefined ? { reason } : {}) });
    return true;
  } catch (err) {
    if (err instanceof StateConflictError) return false;
    throw err;
  }
}

function summarize(ctx: Context, env: RunEnv, ids: readonly string[], run: string): ExitCodeValue {
  const rows = env.store.listTracks().filter((t) => !ids.length || ids.includes(t.id));
  const workers = lastWorkers(env.store);
  const bad = rows.filter((t) => !['merged'].includes(t.state));
  if (ctx.json)
    ctx.out.json({
      engine: 'bullmq',
      run,
      tracks: rows.map((t) => ({
        id: t.id,
        state: t.state,
        attempt: t.attempt,
        reason: t.reason,
        worker: workers.get(t.id) ?? null,
      })),
    });
  else {
    const counts = new Map<string, number>();
    for (const t of rows) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    ctx.out.line(
      `fleet run ${run}: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to do'}`,
    );
    for (const t of bad) ctx.out.line(`  ${t.id}: ${t.state}${t.reason ? ` — ${t.reason}` : ''}`);
  }
  return bad.length ? ExitCode.failed : ExitCode.ok;
}
