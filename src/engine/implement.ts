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
import { INTERRUPTED_BUDGET, type TrackOutcome } from './track-loop.js';
import { canRetry, retryTrack } from '../manage/retry.js';
import { StateConflictError } from '../state/errors.js';
import { META_QUEUE_PAUSED } from '../state/meta.js';
import type { TrackRow } from '../state/rows.js';
import {
  formatCost,
  sumUsage,
  usageByTrack,
  usagePerRun,
  type UsageTotals,
} from '../core/usage.js';
import { describeSpend } from '../status/table.js';
import { describeOverrun, type Overrun } from '../flow/budget.js';
import { RunBudget } from './budget.js';

export interface ImplementOptions {
  ids: string[];
  concurrency?: number | undefined;
  agent?: string | undefined;
  attempts?: number | undefined;
  merge: boolean;
  plain: boolean;
  /** Failed and conflicted tracks (of `ids`, or all) go back to the queue first. */
  retry?: boolean;
  /** `--fresh`: every agent starts with the full prompt; no session is continued. */
  fresh?: boolean | undefined;
  /** `--budget-usd`: the run's ceiling in US dollars (budget.runUsd). */
  budgetUsd?: number | undefined;
  /** `--speculate`: merge.speculate for this run. */
  speculate?: number | undefined;
  /** `--notify-bell`: the live view rings on the notify.on events. */
  notifyBell?: boolean;
  /** `--engine`: overrides engine.kind (docs/scale.md). */
  engine?: 'local' | 'bullmq' | undefined;
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
    if (!files.some((f) => f.id === id))
      throw new UsageError(`Unknown track "${id}".`, { hint: 'List the tracks with `ym status`.' });
  }
  if (!(await refExists(createGit(ctx.run, repo.root), `refs/heads/${config.target}`))) {
    throw new UsageError(`The target branch "${config.target}" does not exist in ${repo.root}.`, {
      hint: 'Create it, or set "target" in yardmaster.json to an existing branch.',
    });
  }
  const agent = resolveAgent(
    opts.agent ?? config.agent,
    config,
    opts.agent !== undefined ? '--agent' : 'yardmaster.json "agent"',
  );
  assertAgentInstalled(agent, ctx.env);
  const wouldRun = [
    ...(agent.fromRepoConfig ? [`agent "${agent.name}": ${describeSpec([...agent.command])}`] : []),
    ...repoCommands(config, { setup: true, checks: true, notify: true, engine: true }),
  ];
  if (wouldRun.length) await requireTrust(ctx, wouldRun);
  // The fleet engine: the same decisions, its activities on `ym worker` processes.
  if ((opts.engine ?? config.engine.kind) === 'bullmq') {
    const unsupported = [
      ...(opts.merge ? [] : ['--no-merge']),
      ...(opts.retry ? ['--retry'] : []),
      ...(opts.budgetUsd !== undefined ? ['--budget-usd'] : []),
    ];
    if (unsupported.length)
      throw new UsageError(
        `${unsupported.join(', ')} ${unsupported.length === 1 ? 'is' : 'are'} not supported by the bullmq engine yet.`,
        { hint: 'Run without it, or with --engine local (docs/scale.md, "What is left").' },
      );
    const { coordinate } = await import('../fleet/coordinator.js');
    return coordinate(ctx, config, files, {
      ids: opts.ids,
      agent: opts.agent ?? null,
      fresh: opts.fresh === true,
    });
  }
  const started = ctx.clock.now().getTime();
  const plain = plainReporter(ctx);
  // On a terminal the live status view shows the run; plain lines resume if the user closes it.
  let viewOpen = false;
  // One signal for the whole run: Ctrl-C, or the run's budget spent (src/engine/budget.ts).
  const budgetStop = new AbortController();
  const runCtx: Context = { ...ctx, signal: AbortSignal.any([ctx.signal, budgetStop.signal]) };
  const env = await createRunEnv(
    runCtx,
    (id, text) => {
      if (!viewOpen) plain(id, text);
    },
    { config },
  );
  const { store } = env;
  const budget = new RunBudget(config.budget, store, budgetStop);
  // What this run spent is what its runs recorded after this point.
  const firstEvent = store.lastEventId();
  syncTrackDefinitions(store, files);
  const view =
    !opts.plain && wantsLiveView({}, ctx)
      ? await openLiveView(ctx, opts.notifyBell === true)
      : null;
  viewOpen = view !== null;
  void view?.closed.then(() => (viewOpen = false));
  const recovered = await recoverInterrupted(env);
  if (recovered.length)
    env.report(null, `resuming ${recovered.length} interrupted track(s): ${recovered.join(', ')}`);
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
      scopes: new Map(files.flatMap((f) => (f.scope?.length ? [[f.id, f.scope] as const] : []))),
      budget,
      fresh: opts.fresh === true,
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
  // ready as the last drain finished is merged here, and what that moves on (a dependent now
  // unblocked, a track handed back to its agent) runs too. A round that changes no track's
  // state ends it; each change spends a merge or an attempt, so this ends.
  const states = () =>
    store
      .listTracks()
      .map((t) => `${t.id}=${t.state}:${t.attempt}`)
      .join(' ');
  while (queue && !runCtx.signal.aborted) {
    const before = states();
    await queue.drain();
    if (states() === before) break;
    for (const [id, outcome] of await scheduleOnce()) outcomes.set(id, outcome);
  }
  await view?.close();
  viewOpen = false;
  if (budget.runOver) {
    env.report(
      null,
      `stopped: the run budget is spent (${describeOverrun(budget.runOver)}); interrupted agents resume with \`ym implement\``,
    );
    // Each track the run's ceiling stopped is told about (notify.on "budget").
    for (const t of store.listTracks()) {
      if (t.state === 'interrupted' && t.reason === INTERRUPTED_BUDGET) {
        env.notify?.({
          event: 'budget',
          trackId: t.id,
          reason: `run budget: ${describeOverrun(budget.runOver)}`,
          sha: null,
        });
      }
    }
  }
  return summarize(
    env,
    opts,
    outcomes,
    ctx.clock.now().getTime() - started,
    merging,
    firstEvent,
    budget.runOver,
    queue?.awaiting ?? new Map(),
  );
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
      if (ids.length)
        env.report(
          t.id,
          `not retried: it is ${t.state}${t.reason ? ` (${t.reason})` : ''}; only failed or conflicted tracks are`,
        );
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
async function openLiveView(
  ctx: Context,
  bell: boolean,
): Promise<{ closed: Promise<unknown>; close(): Promise<void> }> {
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
      throw new UsageError(
        `--concurrency must be an integer from 1 to 64, not ${String(opts.concurrency)}.`,
      );
    }
    config = { ...config, concurrency: opts.concurrency };
  }
  if (opts.attempts !== undefined) {
    if (!Number.isInteger(opts.attempts) || opts.attempts < 1 || opts.attempts > 20) {
      throw new UsageError(
        `--attempts must be an integer from 1 to 20, not ${String(opts.attempts)}.`,
      );
    }
    config = { ...config, attempts: opts.attempts };
  }
  if (opts.speculate !== undefined) {
    if (!Number.isInteger(opts.speculate) || opts.speculate < 1 || opts.speculate > 16) {
      throw new UsageError(
        `--speculate must be an integer from 1 to 16, not ${String(opts.speculate)}.`,
      );
    }
    config = { ...config, merge: { ...config.merge, speculate: opts.speculate } };
  }
  if (opts.budgetUsd !== undefined) {
    if (!Number.isFinite(opts.budgetUsd) || opts.budgetUsd <= 0) {
      throw new UsageError(
        `--budget-usd must be a positive number of US dollars, not ${String(opts.budgetUsd)}.`,
      );
    }
    config = { ...config, budget: { ...config.budget, runUsd: opts.budgetUsd } };
  }
  return config;
}

function summarize(
  env: RunEnv,
  opts: ImplementOptions,
  outcomes: Map<string, TrackOutcome>,
  durationMs: number,
  merging: boolean,
  firstEvent: number,
  runOver: Overrun | null,
  awaiting: ReadonlyMap<string, string>,
): ExitCodeValue {
  const { ctx, store, config } = env;
  const all = store.listTracks();
  const rows = all.filter((t) => (opts.ids.length ? opts.ids.includes(t.id) : true));
  // Usage: each track's over all its attempts; the run's over what it ran itself.
  const usageEvents = store.listUsageEvents();
  const trackUsage = usageByTrack(usagePerRun(usageEvents));
  const spent: UsageTotals = sumUsage(usagePerRun(usageEvents.filter((e) => e.id > firstEvent)));
  const usageOf = (id: string): UsageTotals => {
    const { perAttempt: _perAttempt, ...totals } = trackUsage.get(id) ?? {
      perAttempt: [],
      ...sumUsage([]),
    };
    return totals;
  };
  const tracks = rows.map((t) => ({
    id: t.id,
    state: t.state,
    attempt: t.attempt,
    reason: t.reason,
    branch: t.branch,
    worktree: t.worktree,
    usage: usageOf(t.id),
  }));
  const bad = rows.filter((t) => ['failed', 'blocked', 'conflicted'].includes(t.state));
  const waiting = leftWaiting(env, rows, all, merging, awaiting);
  if (ctx.json) {
    ctx.out.json({
      durationMs,
      ran: [...outcomes.keys()],
      tracks,
      waiting,
      interrupted: ctx.signal.aborted,
      usage: spent,
      budget: runOver ? { ...runOver, stopped: true } : null,
    });
  } else {
    const counts = new Map<string, number>();
    for (const t of rows) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    ctx.out.line(
      `${outcomes.size} track(s) run in ${(durationMs / 1000).toFixed(1)} s: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ') || 'nothing to do'}`,
    );
    const spend = describeSpend(spent);
    if (spend) {
      const perTrack = [...outcomes.keys()]
        .map((id) => [id, usageOf(id)] as const)
        .filter(([, u]) => u.runs > 0);
      ctx.out.line(
        `  spent ${spend}${perTrack.length ? ` (${perTrack.map(([id, u]) => `${id} ${formatCost(u)}`).join(', ')})` : ''}`,
      );
    }
    if (runOver)
      ctx.out.line(
        `  stopped: the run budget is spent (${describeOverrun(runOver)}); run \`ym implement\` again to resume`,
      );
    for (const t of bad) ctx.out.line(`  ${t.id}: ${t.state}${t.reason ? ` — ${t.reason}` : ''}`);
    for (const w of waiting) ctx.out.line(`  ${w.id}: waiting — ${w.why}`);
    if (!merging) {
      // --no-merge or merge.mode manual: stopping at ready is what was asked for.
      const ready = rows.filter((t) => t.state === 'ready');
      if (ready.length)
        ctx.out.line(
          `  ready to merge: ${ready.map((t) => t.id).join(', ')} (run \`ym merge\`${config.merge.mode === 'manual' ? '; merge.mode is manual' : ''})`,
        );
    }
    const later = rows.filter(
      (t) => ['planned', 'queued'].includes(t.state) && !waiting.some((w) => w.id === t.id),
    );
    if (later.length)
      ctx.out.line(
        `  waiting on dependencies or another implement: ${later.map((t) => t.id).join(', ')}`,
      );
  }
  // The run's budget stopped it: the work is not done, but nobody pressed Ctrl-C.
  if (runOver) return ExitCode.failed;
  if (ctx.signal.aborted) return ExitCode.interrupted;
  // The work asked for is not done while a track waits on the user (a held landing, a paused
  // queue) or on a dependency that will not merge in this run.
  return bad.length || waiting.length ? ExitCode.failed : ExitCode.ok;
}

/**
 * The tracks of this run left waiting on the user, each with what to do: a landing held (the
 * user's checkout, a target that kept moving, an error), an approval, a paused queue, and the tracks that
 * wait for such a track (a dependency, an overlapping scope). A track another implement
 * process has claimed, or one that became ready after this run's last drain (another
 * process's), waits on nobody: it is not listed.
 */
function leftWaiting(
  env: RunEnv,
  rows: TrackRow[],
  all: TrackRow[],
  merging: boolean,
  awaiting: ReadonlyMap<string, string>,
): { id: string; state: string; why: string }[] {
  const { store } = env;
  if (!merging) return [];
  const byId = new Map(all.map((t) => [t.id, t]));
  const paused = store.getMeta(META_QUEUE_PAUSED) === '1';
  const unmerged = (t: TrackRow) => t.dependsOn.filter((d) => byId.get(d)?.state !== 'merged');
  const onUser = (id: string, seen = new Set<string>()): boolean => {
    const t = byId.get(id);
    if (!t || seen.has(id)) return false;
    seen.add(id);
    if (t.state === 'ready')
      return (
        paused || awaiting.has(id) || t.reason !== null || unmerged(t).some((d) => onUser(d, seen))
      );
    if (t.state !== 'planned' && t.state !== 'interrupted') return false;
    const blocker = overlapBlocker(store, t.id, byId);
    return unmerged(t).some((d) => onUser(d, seen)) || (blocker !== null && onUser(blocker, seen));
  };
  const out: { id: string; state: string; why: string }[] = [];
  for (const t of rows) {
    if (!['ready', 'planned', 'interrupted'].includes(t.state) || !onUser(t.id)) continue;
    const deps = unmerged(t);
    const why =
      t.state === 'ready' && !deps.length
        ? paused
          ? 'the merge queue is paused; press p in `ym status` to resume it, then run `ym merge`'
          : (awaiting.get(t.id) ?? t.reason ?? 'not merged yet; run `ym merge`')
        : deps.length
          ? `on ${deps.map((d) => `${d} (${byId.get(d)?.state ?? 'unknown'})`).join(', ')}, which must merge first`
          : (overlapWait(store, t.id, byId) ?? `${t.state}; run \`ym implement\` again`);
    out.push({ id: t.id, state: t.state, why });
  }
  return out;
}

/** The track a planned track waits for (scheduling.overlap), while that one has not merged. */
function overlapBlocker(
  store: RunEnv['store'],
  id: string,
  byId: ReadonlyMap<string, TrackRow>,
): string | null {
  const data = store.listEvents({ trackId: id }).findLast((e) => e.type === 'schedule.overlap')
    ?.data as { on?: string } | undefined;
  return data?.on && byId.get(data.on) && byId.get(data.on)!.state !== 'merged' ? data.on : null;
}

/** Why a planned track waited for another (scheduling.overlap), if it did and still does. */
function overlapWait(
  store: RunEnv['store'],
  id: string,
  byId: ReadonlyMap<string, TrackRow>,
): string | null {
  const last = store.listEvents({ trackId: id }).findLast((e) => e.type === 'schedule.overlap');
  const data = last?.data as { on?: string; paths?: string[] } | undefined;
  if (!data?.on) return null;
  const on = byId.get(data.on);
  if (!on || on.state === 'merged') return null;
  return `for ${data.on} (${on.state}) to merge: their scopes overlap (${(data.paths ?? []).join(', ')}); it starts once ${data.on} merges (scheduling.overlap "serialize")`;
}
