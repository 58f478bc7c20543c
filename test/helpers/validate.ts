// Shared by the validate end-to-end tests: the --json document's types, a repository pool that
// is cleaned after each test, and the CLI run as CI would run it.
import { afterEach } from 'vitest';
import { runCli } from './cli.js';
import { makeTrackRepo, type TrackRepo, type TrackRepoOptions } from './track-repo.js';

export interface JsonResult {
  name: string;
  kind: string;
  status: string;
  level: string;
  exitCode: number | null;
  durationMs: number;
  message: string | null;
  command: string | null;
  timedOut: boolean;
  outputTail: string;
}
export interface JsonReport {
  schemaVersion: number;
  ok: boolean;
  track: string;
  branch: string | null;
  target: string;
  checkout: string;
  headSha: string;
  mergeBase: string | null;
  mode: string;
  builtinOnly: boolean;
  interrupted: boolean;
  durationMs: number;
  logFile: string | null;
  counts: Record<string, number>;
  results: JsonResult[];
}

let repos: TrackRepo[] = [];
/** Call once at the top of a test file: repositories made with trackRepo() are removed after each test. */
export function cleanTrackReposAfterEach(): void {
  afterEach(() => {
    for (const r of repos) r.cleanup();
    repos = [];
  });
}
export function trackRepo(opts?: TrackRepoOptions): TrackRepo {
  const r = makeTrackRepo(opts);
  repos.push(r);
  return r;
}
export const ym = (r: TrackRepo, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--cwd', r.dir, 'validate', ...args], { env: { ...r.env, CI: 'true', ...env } });
export async function validateJson(r: TrackRepo, args: string[] = []) {
  const res = await ym(r, [...args, '--json']);
  return { ...res, report: JSON.parse(res.stdout) as JsonReport };
}
export const byName = (report: JsonReport, name: string) => {
  const found = report.results.find((x) => x.name === name);
  if (!found)
    throw new Error(
      `no result named ${name}: ${JSON.stringify(report.results.map((x) => x.name))}`,
    );
  return found;
};
