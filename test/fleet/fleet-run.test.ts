// The bullmq engine end to end: a real redis-server, a bare remote, three `ym worker`
// processes of the built CLI (two slots each) in their own clones, and the coordinator's clone
// running `implement --engine bullmq` over 12 tracks with dependencies and one feedback retry.
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, useRecordingAgent, type Project } from '../helpers/tracks.js';
import {
  expectNoOverlap,
  leftoverProcesses,
  makeFleet,
  maxConcurrent,
  startRedis,
  stopWorkers,
  writeCheck,
  type FleetWorker,
  type RedisServer,
} from './fleet.js';

let project: Project | undefined;
let redis: RedisServer | undefined;
let workers: FleetWorker[] = [];
afterEach(async () => {
  await stopWorkers(workers);
  workers = [];
  await redis?.stop();
  redis = undefined;
  const left = project ? await leftoverProcesses(project.repo.root) : [];
  project?.cleanup();
  project = undefined;
  expect(left).toEqual([]);
});

const TRACKS: { id: string; dependsOn?: string[] }[] = [
  { id: 't01' },
  { id: 't02' },
  { id: 't03' },
  { id: 't04', dependsOn: ['t01'] },
  { id: 't05', dependsOn: ['t01', 't02'] },
  { id: 't06', dependsOn: ['t03'] },
  { id: 't07', dependsOn: ['t04'] },
  { id: 't08', dependsOn: ['t05', 't06'] },
  { id: 't09' },
  { id: 't10', dependsOn: ['t09'] },
  { id: 't11', dependsOn: ['t07', 't08'] },
  { id: 't12', dependsOn: ['t10'] },
];
const CAP = 3;

describe('fleet: ym worker on bullmq', () => {
  it('runs 12 tracks on 3 workers: all merged in dependency order, the cap held, one merge at a time', async () => {
    project = await makeProject({ tracks: TRACKS });
    const p = project;
    const check = writeCheck(p.repo.root);
    const rec = useRecordingAgent(
      p,
      {
        '*': { behaviour: 'ok', sleepMs: 700 },
        t05: { behaviour: 'fail-check-once', sleepMs: 700 },
      },
      {
        config: {
          concurrency: CAP,
          attempts: 2,
          engine: { kind: 'bullmq' },
          // Merge commits: each first-parent position of main is a candidate the queue checked
          // (a rebase lands every commit of a branch, attempt 1's failing one included).
          merge: { strategy: 'merge' },
          checks: [{ name: 'suite', run: [process.execPath, check] }],
        },
      },
    );
    redis = await startRedis(p.repo.root);
    const env = { YM_REDIS_URL: redis.url };
    const fleet = makeFleet(p, 3, env);
    const start = p.repo.git(['rev-parse', 'main']).trim();
    workers = [1, 2, 3].map((i) => fleet.startWorker(i, 2));
    const r = await p.ym(['implement', '--json'], env, 240_000);
    expect(
      r.code,
      `${r.stdout}\n${r.stderr}\n${workers.map((w) => w.output()).join('\n---\n')}`,
    ).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      engine: string;
      tracks: { id: string; state: string; attempt: number; worker: string | null }[];
    };
    expect(summary.engine).toBe('bullmq');
    for (const t of summary.tracks) expect(t.state, t.id).toBe('merged');

    // Every track is on the remote's main, and every first-parent position of it passes the
    // suite with each track's dependencies already there.
    const git = (args: string[]) => fleet.git(fleet.bare, args).trim();
    const positions = git(['rev-list', '--first-parent', '--reverse', `${start}..main`]).split(
      '\n',
    );
    expect(positions.length).toBeGreaterThanOrEqual(TRACKS.length);
    for (const sha of positions) {
      const files = git(['ls-tree', '--name-only', `${sha}:src`])
        .split('\n')
        .filter(Boolean);
      for (const f of files)
        expect(git(['show', `${sha}:src/${f}`]), `${sha} ${f}`).not.toContain('BAD');
      for (const t of TRACKS)
        if (files.includes(`${t.id}.txt`))
          for (const d of t.dependsOn ?? [])
            expect(files, `${t.id} at ${sha} without ${d}`).toContain(`${d}.txt`);
    }
    const final = git(['ls-tree', '--name-only', 'main:src']).split('\n');
    for (const t of TRACKS) expect(final).toContain(`${t.id}.txt`);

    // The global cap, measured from the agents' own start/end records: never above it, and
    // reached (the fleet ran tracks in parallel on several workers).
    const records = rec.records();
    expect(records.filter((x) => x.event === 'overlap')).toEqual([]);
    const peak = maxConcurrent(records);
    expect(peak).toBeLessThanOrEqual(CAP);
    expect(peak).toBeGreaterThanOrEqual(2);
    // The feedback retry: t05's second attempt read what the check said about the first.
    const t05 = records.filter((x) => x.track === 't05' && x.event === 'start');
    expect(t05.map((x) => x.attempt)).toEqual([1, 2]);
    expect(t05[1]!.feedback).toContain('BAD');
    // Each other track ran its agent once: no job ran twice.
    for (const t of TRACKS.filter((x) => x.id !== 't05'))
      expect(
        records.filter((x) => x.track === t.id && x.event === 'start'),
        t.id,
      ).toHaveLength(1);

    // One merge at a time: the merge jobs' own processing intervals never overlap.
    const { Queue } = await import('bullmq');
    const root = git(['rev-list', '--max-parents=0', 'main']).slice(0, 16);
    const q = new Queue('merge', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: `ym:${root}`,
    });
    const jobs = await q.getJobs(['completed']);
    await q.close();
    expect(jobs.length).toBeGreaterThanOrEqual(TRACKS.length);
    expectNoOverlap(jobs.map((j) => ({ id: j.id!, start: j.processedOn!, end: j.finishedOn! })));

    // The coordinator's status shows every track with the worker that ran it, and the work
    // was spread over more than one worker.
    const st = await p.ym(['status', '--json'], env);
    const snap = JSON.parse(st.stdout) as {
      tracks: { id: string; state: string; worker?: string }[];
    };
    for (const t of snap.tracks) expect(t.worker, t.id).toMatch(/:\d+$/);
    expect(new Set(summary.tracks.map((t) => t.worker)).size).toBeGreaterThanOrEqual(2);
    const plain = await p.ym(['status', '--plain'], env);
    expect(plain.stdout).toMatch(/t01 .*merged.*\[.+:\d+\]/);
  }, 300_000);
});
