// Fixture helper for tracks: a repository set up with yardmaster.json and tracks from a plan,
// committed, ready for `implement` and `merge`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { makeRepo, type TestRepo } from './repo.js';
import { spawn } from 'node:child_process';
import { CLI_BIN, REPO_ROOT, runCli, type CliResult } from './cli.js';

export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

export interface TrackSpec {
  id: string;
  title?: string;
  dependsOn?: string[];
  scope?: string[];
  phases?: { title: string; tasks: string[] }[];
}

export interface ProjectOptions {
  tracks: TrackSpec[];
  /** Merged over the generated yardmaster.json. */
  config?: Record<string, unknown>;
}

export interface Project {
  repo: TestRepo;
  ym(
    args: string[],
    env?: Record<string, string | undefined>,
    timeoutMs?: number,
  ): Promise<CliResult>;
  cleanup(): void;
}

/** A repo with yardmaster.json and the tracks planned and committed on main. */
export async function makeProject(opts: ProjectOptions): Promise<Project> {
  const repo = makeRepo();
  const ym = (args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000) =>
    runCli(['--cwd', repo.dir, ...args], { env: { ...repo.env, ...env }, timeoutMs });
  repo.write(
    'yardmaster.json',
    JSON.stringify(
      { target: 'main', retry: { backoffMs: 10, maxBackoffMs: 50 }, ...opts.config },
      null,
      2,
    ),
  );
  repo.write(
    'tracks.json',
    JSON.stringify({
      tracks: opts.tracks.map((t) => ({
        id: t.id,
        title: t.title ?? `Track ${t.id}`,
        dependsOn: t.dependsOn ?? [],
        ...(t.scope ? { scope: t.scope } : {}),
        ...(t.phases ? { phases: t.phases } : {}),
      })),
    }),
  );
  const r = await ym(['plan', '--from', 'tracks.json', '--yes']);
  expect(r.code, r.stderr).toBe(0);
  repo.commit('plan tracks');
  return { repo, ym, cleanup: () => repo.cleanup() };
}

export interface AgentRecord {
  track: string;
  attempt: number;
  pid: number;
  event: 'start' | 'end' | 'overlap' | 'forked';
  at: number;
  feedback?: string | null;
  /** `forked`: the pids of the children the agent left running. */
  children?: number[];
}

/**
 * Configures test/fixtures/recording-agent.mjs as the project's agent ("rec"), with per-track
 * behaviours, and commits the config. `records()` reads what the agents did.
 */
export function useRecordingAgent(
  p: Project,
  behaviours: Record<string, unknown>,
  opts: { timeoutSec?: number; config?: Record<string, unknown> } = {},
): { recordFile: string; behaviourFile: string; records(): AgentRecord[] } {
  const behaviourFile = path.join(p.repo.root, 'behaviour.json');
  const recordFile = path.join(p.repo.root, 'record.jsonl');
  writeFileSync(behaviourFile, JSON.stringify(behaviours));
  const file = path.join(p.repo.dir, 'yardmaster.json');
  writeFileSync(
    file,
    JSON.stringify({
      ...JSON.parse(readFileSync(file, 'utf8')),
      agent: 'rec',
      agents: {
        rec: {
          command: [
            process.execPath,
            path.join(FIXTURES, 'recording-agent.mjs'),
            behaviourFile,
            recordFile,
          ],
          timeoutSec: opts.timeoutSec ?? 60,
        },
      },
      ...opts.config,
    }),
  );
  p.repo.commit('configure the recording agent');
  return {
    recordFile,
    behaviourFile,
    // Read while agents append: the file may exist still empty (created, not yet written), and
    // only complete lines count.
    records: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .split('\n')
            .slice(0, -1)
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as AgentRecord)
        : [],
  };
}

/** Runs `ym <args>` in the project and SIGKILLs it after `killAfterMs` (null: lets it finish); the output's last lines. */
export function ymUntilKilled(
  p: Project,
  args: readonly string[],
  killAfterMs: number | null,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const child = spawn(process.execPath, [CLI_BIN, '--cwd', p.repo.dir, ...args], {
    env: { ...p.repo.env, CI: 'true', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const timer = killAfterMs === null ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, out: out.split('\n').slice(-15).join('\n') });
    }),
  );
}
