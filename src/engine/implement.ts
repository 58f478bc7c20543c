// `implement`: run every runnable track in parallel, each in its own worktree, with the quality
// loop; resume what an interrupted run left. Plain progress lines (or a final JSON summary).
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { assertTrackId } from '../core/track.js';
import { requireConfig } from '../config/require.js';
import { requireTrust } from '../config/trust.js';
import { resolveAgent } from '../agents/registry.js';
import { assertAgentInstalled } from '../agents/launch.js';
import { refExists } from '../git/worktrees.js';
import { createGit } from '../git/git.js';
import type { Config } from '../config/schema.js';
import { readTrackFiles } from '../tracks/files.js';
import { syncTrackDefinitions } from '../tracks/register.js';
import { describeSpec, repoCommands } from '../config/commands.js';
import { createRunEnv, type RunEnv } from '../runtime/env.js';
import { plainReporter } from '../runtime/reporter.js';
import { wantsLiveView } from '../status/status.js';
import { recoverInterrupted } from './recover.js';
import { schedule } from './scheduler.js';
import { MergeQueue } from './merge-queue.js';
import { createProvider } from '../vcs/index.js';
import type { TrackOutcome } from './track-loop.js';
import { canRetry, retryTrack } from '../manage/retry.js';
import { StateConflictError } from '../state/errors.js';
import { META_QUEUE_PAUSED } from '../state/meta.js';
import type { TrackRow } from '../state/rows.js';

export interface ImplementOptions {
  ids: string[];
  concurrency?: number | undefined;
  agent?: string | undefined;
  attempts?: number | undefined;
  merge: boolean;
  plain: boolean;
  /** Failed and conflicted tracks (of `ids`, or all) go back to the queue first. */
  retry?: boolean;
  /** `--notify-bell`: the live view rings on the notify.on events. */
  notifyBell?: boolean;
}

export async function implement(opts: ImplementOptions, ctx: Context): Promise<ExitCodeValue> {
  // Everything the user gave is checked before state.db is opened (or created): bad input
  // changes nothing.
  const { config: loaded } = await requireConfig(ctx);
  const config = withOverrides(loaded, opts);
  const repo = await ctx.repo();
  const files = readTrackFiles(repo.root);
  for (const id of opts.ids) {
    assertTrackId(id);
    if (!files.some((f) => f.id === id)) throw new UsageError(`Unknown track "${id}".`, { hint: 'List the tracks with `ym status`.' });
  }
  if (!(await refExists(createGit(ctx.run, repo.root), `refs/heads/${config.target}`))) {
    throw new UsageError(`The target branch "${config.target}" does not exist in ${repo.root}.`, {
      hint: 'Create it, or set "target" in yardmaster.json to an existing branch.',
    });
  }
  const agent = resolveAgent(opts.agent ?? config.agent, config, opts.agent !== undefined ? '--agent' : 'yardmaster.json "agent"');
  assertAgentInstalled(agent, ctx.env);
  const wouldRun = [
    ...(agent.fromRepoConfig ? [`agent "${agent.name}": ${describeSpec([...agent.command])}`] : []),
    ...repoCommands(config, { setup: true, checks: true, notify: true }),
  ];
  if (wouldRun.length) await requireTrust(ctx, wouldRun);
  const started = ctx.clock.now().getTime();
  const plain = plainReporter(ctx);
  // On a terminal the live status view shows the run; plain lines resume if the user closes it.
  let viewOpen = false;
  const env = await createRunEnv(
    ctx,
    (id, text) => {
      if (!viewOpen) plain(id, text);
    },
    { config },
  );
  const { store } = env;
  syncTrackDefinitions(store, files);
  const view = !opts.plain && wantsLiveView({}, ctx) ? await openLiveView(ctx, opts.notifyBell === true) : null;
  viewOpen = view !== null;
  void view?.closed.then(() => (viewOpen = false));
  const recovered = await recoverInterrupted(env);
  if (recovered.length) env.report(null, `resuming ${recovered.length} interrupted track(s): ${recovered.join(', ')}`);
  const merging = opts.merge && config.merge.mode === 'auto';
  const queue = merging ? new MergeQueue(env, await createProvider(env)) : null;
  // After everything that can refuse the run (the provider's config too): bad input changes nothing.
  if (opts.retry) retryTracks(env, opts.ids);
  const scheduleOnce = () =>
    schedule(env, {
      ids: opts.ids,
      concurrency: config.concurrency,
      agent,
      base: `refs/heads/${config.target}`,
      ...(queue
        ? {
            onReady: async (id: string) => {
              store.enqueue(id);
              await queue.drain();
            },
          }
        : {}),
    });
  const outcomes = await scheduleOnce();
  // The run ends with nothing in the queue that could merge now: a track given back or made
  // ready as the last drain finished is merged here, and what that unblocks runs too. Each
  // round merges at least one track, so this ends.
  const mergedCount = () => store.listTracks().filter((t) => t.state === 'merged').length;
  while (queue && !ctx.signal.aborted) {
    const before = mergedCount();
    await queue.drain();
    if (mergedCount() === before) break;
    for (const [id, outcome] of await scheduleOnce()) outcomes.set(id, outcome);
  }
  await view?.close();
  viewOpen = false;
  return summarize(env, opts, outcomes, ctx.clock.now().getTime() - started, merging, queue?.awaiting ?? new Map());
}

/**
 * `--retry`: each failed or conflicted track (of `ids`, or all) is queued again with a fresh
 * set of attempts, its worktree and commits kept, as the status view's `r` does; the tracks it
 * blocked follow once it is no longer a dead end (the scheduler unblocks them).
 */
function retryTracks(env: RunEnv, ids: readonly string[]): void {
  for (const t of env.store.listTracks()) {
    if (ids.length && !ids.includes(t.id)) continue;
    if (!canRetry(t.state)) {
      // Named, but nothing to retry: say why, e.g. a blocked track's failed dependency.
      if (ids.length) env.report(t.id, `not retried: it is ${t.state}${t.reason ? ` (${t.reason})` : ''}; only failed or conflicted tracks are`);
      continue;
    }
    try {
      retryTrack(env.store, t.id, 'retried (--retry)');
      env.report(t.id, `retried (was ${t.state})`);
    } catch (err) {
      // Another process moved it first: it is theirs now.
      if (!(err instanceof StateConflictError)) throw err;
    }
  }
}

/** Starts the live view in this process; `close()` ends it when the run is over. */
async function openLiveView(ctx: Context, bell: boolean): Promise<{ closed: Promise<unknown>; close(): Promise<void> }> {
  const done = new AbortController();
  const viewCtx: Context = { ...ctx, signal: AbortSignal.any([ctx.signal, done.signal]) };
  const [live, prepared] = await Promise.all([
    import('../tui/live.js'),
    import('../tui/status-source.js').then((m) => m.prepareLiveView(viewCtx, { bell })),
  ]);
  const closed = live.runLiveView(viewCtx, { prepared }).catch(() => undefined);
  return {
    closed,
    close: async () => {
      done.abort();
      await closed;
    },
  };
}

function withOverrides(config: Config, opts: ImplementOptions): Config {
  if (opts.concurrency !== undefined) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 64) {
      throw new UsageError(`--concurrency must be an integer from 1 to 64, not ${String(opts.concurrency)}.`);
    }
    config = { ...config, concurrency: opts.concurrency };
  }
  if (opts.attempts !== undefined) {
    if (!Number.isInteger(opts.attempts) || opts.attempts < 1 || opts.attempts > 20) {
      throw new UsageError(`--attempts must be an integer from 1 to 20, not ${String(opts.attempts)}.`);
    }
    config = { ...config, attempts: opts.attempts };
  }
  return config;
}

function summarize(env: RunEnv, opts: ImplementOptions, outcomes: Map<string, TrackOutcome>, durationMs: number, merging: boolean, awaiting: ReadonlyMap<string, string>): ExitCodeValue {
  const { ctx, store, config } = env;
  const all = store.listTracks();
  const rows = all.filter((t) => (opts.ids.length ? opts.ids.includes(t.id) : true));
  const tracks = rows.map((t) => ({ id: t.id, state: t.state, attempt: t.attempt, reason: t.reason, branch: t.branch, worktree: t.worktree }));
  const bad = rows.filter((t) => ['failed', 'blocked', 'conflicted'].includes(t.state));
  const waiting = leftWaiting(env, rows, all, merging, awaiting);
  if (ctx.json) {
    ctx.out.json({ durationMs, ran: [...outcomes.keys()], tracks, waiting, interrupted: ctx.signal.aborted });
  } else {
    const counts = new Map<string, number>();
    for (const t of rows) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    ctx.out.line(
      `${outcomes.size} track(s) run in ${(durationMs / 1000).toFixed(1)} s: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to do'}`,
    );
    for (const t of bad) ctx.out.line(`  ${t.id}: ${t.state}${t.reason ? ` — ${t.reason}` : ''}`);
    for (const w of waiting) ctx.out.line(`  ${w.id}: waiting — ${w.why}`);
    if (!merging) {
      // --no-merge or merge.mode manual: stopping at ready is what was asked for.
      const ready = rows.filter((t) => t.state === 'ready');
      if (ready.length) ctx.out.line(`  ready to merge: ${ready.map((t) => t.id).join(', ')} (run \`ym merge\`${config.merge.mode === 'manual' ? '; merge.mode is manual' : ''})`);
      const later = rows.filter((t) => ['planned', 'queued'].includes(t.state));
      if (later.length) ctx.out.line(`  waiting on dependencies: ${later.map((t) => t.id).join(', ')}`);
    }
  }
  if (ctx.signal.aborted) return ExitCode.interrupted;
  // The work asked for is not done while a track waits on the user (a held landing, a paused
  // queue) or on a dependency that will not merge in this run.
  return bad.length || waiting.length ? ExitCode.failed : ExitCode.ok;
}

/** The tracks of this run that are left waiting, each with what the user can do about it. */
function leftWaiting(env: RunEnv, rows: TrackRow[], all: TrackRow[], merging: boolean, awaiting: ReadonlyMap<string, string>): { id: string; state: string; why: string }[] {
  const { store } = env;
  const byId = new Map(all.map((t) => [t.id, t]));
  const paused = store.getMeta(META_QUEUE_PAUSED) === '1';
  const out: { id: string; state: string; why: string }[] = [];
  if (!merging) return out;
  for (const t of rows) {
    if (t.state === 'ready') {
      const why = paused
        ? 'the merge queue is paused; press p in `ym status` to resume it, then run `ym merge`'
        : (awaiting.get(t.id) ?? t.reason ?? 'not merged yet; run `ym merge`');
      out.push({ id: t.id, state: t.state, why });
    } else if (t.state === 'planned' || t.state === 'queued' || t.state === 'interrupted') {
      const deps = t.dependsOn.filter((d) => byId.get(d)?.state !== 'merged');
      const why = deps.length
        ? `on ${deps.map((d) => `${d} (${byId.get(d)?.state ?? 'unknown'})`).join(', ')}${deps.some((d) => !rows.some((r) => r.id === d)) ? `; run \`ym implement ${[...deps, t.id].join(' ')}\`` : ''}`
        : `${t.state}${t.reason ? ` (${t.reason})` : ''}; run \`ym implement\` again`;
      out.push({ id: t.id, state: t.state, why });
    }
  }
  return out;
}
