// `ym worker`: one machine of the fleet. It takes track attempts (up to --slots at once; the
// fleet-wide cap is the queue's global concurrency) and merge steps (one at a time fleet-wide)
// from Redis, runs them in this clone through the same activities as the local engine, and
// returns plain results to the coordinator. SIGTERM or `ym worker --drain` finishes what it
// holds and takes nothing new; Ctrl-C interrupts its agents and hands their jobs back.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker as BullWorker } from 'bullmq';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { requireConfig } from '../config/require.js';
import { requireTrust } from '../config/trust.js';
import { describeSpec, repoCommands } from '../config/commands.js';
import type { Config } from '../config/schema.js';
import { resolveAgent, type AgentDefinition } from '../agents/registry.js';
import { assertAgentInstalled } from '../agents/launch.js';
import { createGit } from '../git/git.js';
import { createRunEnv } from '../runtime/env.js';
import { plainReporter } from '../runtime/reporter.js';
import { sleep } from '../runtime/sleep.js';
import { isAlive } from '../proc/run.js';
import { recoverInterrupted, recoverMerges } from '../engine/recover.js';
import { createProvider } from '../vcs/index.js';
import { connect, MERGE_QUEUE, queueOptions, TRACKS_QUEUE } from './connection.js';
import { fleetKey } from './fleet-key.js';
import { MergeJobData, TrackJobData } from './jobs.js';
import { processMergeJob } from './merge-job.js';
import { maskSecret, resolveRedisUrl } from './redis-url.js';
import { assertRemote, fetchRemote } from './remote-git.js';
import { Serial } from './serial.js';
import { fleetTiming } from './settings.js';
import { processTrackJob, type WorkerSide } from './track-job.js';

export interface WorkerOptions {
  slots?: number | undefined;
  drain: boolean;
}

/** The config a worker runs with: the local provider lands on the shared remote (merge.push). */
export function fleetConfig(config: Config): Config {
  return config.merge.provider === 'local'
    ? { ...config, merge: { ...config.merge, push: true } }
    : config;
}

export async function worker(opts: WorkerOptions, ctx: Context): Promise<ExitCodeValue> {
  const { config: loaded } = await requireConfig(ctx);
  const repo = await ctx.repo();
  const workersDir = path.join(repo.stateDir, 'workers');
  if (opts.drain) return drainWorkers(ctx, workersDir);
  const target = resolveRedisUrl(ctx.env, repo.root);
  const config = fleetConfig(loaded);
  const slots = opts.slots ?? config.concurrency;
  const timing = fleetTiming(ctx.env);
  const git = createGit(ctx.run, repo.root);
  await assertRemote(git, config.engine.remote, repo.root);
  const agent = resolveAgent(config.agent, config, 'yardmaster.json "agent"');
  assertAgentInstalled(agent, ctx.env);
  const wouldRun = [
    ...(agent.fromRepoConfig ? [`agent "${agent.name}": ${describeSpec([...agent.command])}`] : []),
    ...repoCommands(config, {
      setup: true,
      checks: true,
      notify: true,
      engine: true,
      agents: true,
    }),
  ];
  if (wouldRun.length) await requireTrust(ctx, wouldRun);
  const name = `${os.hostname()}:${process.pid}`;
  const plain = plainReporter(ctx);
  const report = (id: string | null, text: string) => plain(id, maskSecret(text, target));
  const env = await createRunEnv(ctx, report, { config });
  // What a previous worker of this clone left (killed mid-agent): its agents are ended and its
  // tracks marked interrupted here; their jobs went back to the queue when their locks expired.
  // A merge step it was running: its checks ended, the merge lock released, its mirror settled.
  const recovered = [...(await recoverInterrupted(env)), ...(await recoverMerges(env))];
  if (recovered.length)
    report(null, `ended what a stopped worker left running: ${recovered.join(', ')}`);
  await fetchRemote(git, config.engine.remote);
  const key = await fleetKey(git, config.engine.remote, config.target);
  const conn = await connect({ target, warn: (t) => report(null, t), fleetKey: key, name });
  ctx.defer(() => conn.close());
  const provider = await createProvider(env);
  const agents = new Map<string, AgentDefinition>([[agent.name, agent]]);
  const side: WorkerSide = {
    env,
    name,
    serial: new Serial(),
    agentFor: (wanted) => {
      if (wanted === null) return agent;
      let a = agents.get(wanted);
      if (!a) {
        a = resolveAgent(wanted, config, 'implement --agent');
        assertAgentInstalled(a, ctx.env);
        agents.set(wanted, a);
      }
      return a;
    },
  };
  const { Worker } = await import('bullmq');
  const common = {
    ...queueOptions(conn),
    lockDuration: timing.lockMs,
    stalledInterval: timing.stalledMs,
    maxStalledCount: timing.maxStalled,
  };
  const tracks = new Worker(
    TRACKS_QUEUE,
    async (job) => {
      await job.updateProgress({ worker: name });
      const data = TrackJobData.parse(job.data);
      report(data.trackId, `job ${job.id}: attempt ${data.attempt}`);
      return processTrackJob(side, data, job.id!);
    },
    { ...common, concurrency: slots },
  );
  const merges = new Worker(
    MERGE_QUEUE,
    async (job) => {
      // What an earlier run of this job was landing (a dead worker's), kept in its progress.
      const before = job.progress as { landing?: unknown } | number;
      const previous =
        typeof before === 'object' && typeof before.landing === 'string' ? before.landing : null;
      await job.updateProgress({ worker: name, ...(previous ? { landing: previous } : {}) });
      const data = MergeJobData.parse(job.data);
      report(data.trackId, `job ${job.id}: merge step`);
      return processMergeJob(side, provider, data, job.id!, {
        previous,
        record: (sha) =>
          void job.updateProgress({ worker: name, landing: sha }).catch(() => undefined),
      });
    },
    { ...common, concurrency: 1 },
  );
  const said = (w: BullWorker) => {
    w.on('failed', (job, err) =>
      report(
        job?.data && typeof job.data === 'object'
          ? String((job.data as { trackId?: unknown }).trackId)
          : null,
        maskSecret(`job ${job?.id ?? '?'} failed: ${err.message}`, target),
      ),
    );
    w.on('error', (err) => report(null, maskSecret(`worker: ${err.message}`, target)));
  };
  said(tracks);
  said(merges);
  mkdirSync(workersDir, { recursive: true });
  const pidFile = path.join(workersDir, `${process.pid}.json`);
  writeFileSync(pidFile, JSON.stringify({ pid: process.pid, name, slots }));
  ctx.defer(() => rmSync(pidFile, { force: true }));
  report(
    null,
    `worker ${name}: ${slots} slot(s), fleet ${key} on ${target.shown}, remote ${config.engine.remote}`,
  );
  // Until told to stop: SIGTERM (or --drain) lets held jobs finish; Ctrl-C interrupts them.
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.on('SIGTERM', onTerm);
  ctx.defer(() => void process.off('SIGTERM', onTerm));
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    stop.signal.addEventListener('abort', done, { once: true });
    ctx.signal.addEventListener('abort', done, { once: true });
  });
  report(
    null,
    ctx.signal.aborted
      ? 'interrupted: handing running jobs back'
      : 'draining: finishing held jobs, taking nothing new',
  );
  await Promise.all([tracks.close(), merges.close()]);
  report(null, 'worker stopped');
  return ctx.signal.aborted ? ExitCode.interrupted : ExitCode.ok;
}

/** `--drain`: each running worker of this clone is asked to finish what it holds, and waited for. */
async function drainWorkers(ctx: Context, dir: string): Promise<ExitCodeValue> {
  const pids = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^\d+\.json$/.test(f))
        .map((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { pid: number }).pid)
        .filter((pid) => isAlive(pid))
    : [];
  if (!pids.length) {
    ctx.out.line('No worker is running in this clone.');
    return ExitCode.ok;
  }
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  ctx.out.line(
    `Draining ${pids.length} worker(s) (${pids.join(', ')}): they finish their jobs and exit.`,
  );
  while (pids.some((pid) => isAlive(pid))) {
    if (ctx.signal.aborted) throw new UsageError('Stopped waiting; the workers go on draining.');
    await sleep(200, ctx.signal).catch(() => undefined);
  }
  ctx.out.line('Drained.');
  return ExitCode.ok;
}
