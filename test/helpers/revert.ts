// Fixture for revert tests: a project whose track `slug` (two phases, four tasks) was implemented
// by the scripted agent, one commit per task with its Yardmaster-Task trailer, and merged into
// main by the queue with the given strategy. Task 2.1 edits the file task 1.1 made, so undoing
// phase 2 must bring back 1.1's version.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { makeProject, type Project, type TrackSpec } from './tracks.js';

export const SLUG_PHASES = [
  { title: 'Basics', tasks: ['Write a.js', 'Write b.js'] },
  { title: 'More', tasks: ['Extend a.js', 'Write c.js'] },
];

export const A1 = 'export const a = 1;\n';
export const A2 = 'export const a = 1;\nexport const a2 = 2;\n';

const task = (id: string, files: Record<string, string>) => ({
  files,
  tick: [id],
  message: `slug: task ${id}`,
  trailers: { 'Yardmaster-Task': id },
});

export const SLUG_SCRIPT = {
  attempts: [
    {
      commits: [
        task('1.1', { 'src/a.js': A1 }),
        task('1.2', { 'src/b.js': 'export const b = "bee";\n' }),
        task('2.1', { 'src/a.js': A2 }),
        task('2.2', { 'src/c.js': 'export const c = "sea";\n' }),
      ],
    },
  ],
};

export interface RevertFixture extends Project {
  /** Runs `git` in the user's checkout. */
  git(args: string[]): string;
  /** Runs `git` there and says whether it failed (e.g. a conflicting rebase). */
  gitFails(args: string[]): boolean;
  /** `git show main:<file>`, or null when main has no such file. */
  onMain(file: string): string | null;
  planOnMain(): string;
  mainSha(): string;
  /** Leftover temporary revert worktrees next to the repository. */
  revertWorktrees(): string[];
  status(): Promise<{
    tracks: { id: string; state: string; archived: boolean; worktree: string | null }[];
  }>;
  stateDir: string;
}

export interface FixtureOptions {
  strategy: 'rebase' | 'merge' | 'squash';
  config?: Record<string, unknown>;
  /** Other tracks, left planned. */
  others?: TrackSpec[];
  /** Rewrites plan.md before it is committed (e.g. Conductor-style stale SHAs). */
  plan?: (text: string) => string;
}

export async function mergedSlug(opts: FixtureOptions): Promise<RevertFixture> {
  const project = await makeProject({
    tracks: [{ id: 'slug', title: 'Slug', phases: SLUG_PHASES }, ...(opts.others ?? [])],
    config: { agent: 'scripted', merge: { strategy: opts.strategy }, ...opts.config },
  });
  const { repo } = project;
  const docs = path.join(repo.dir, 'yardmaster', 'tracks', 'slug');
  writeFileSync(path.join(docs, 'agent-script.json'), JSON.stringify(SLUG_SCRIPT, null, 2));
  if (opts.plan)
    writeFileSync(
      path.join(docs, 'plan.md'),
      opts.plan(readFileSync(path.join(docs, 'plan.md'), 'utf8')),
    );
  repo.commit('script the agent');
  const r = await project.ym(['implement', 'slug', '--json'], {}, 120_000);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout).tracks.find((t: { id: string }) => t.id === 'slug').state).toBe(
    'merged',
  );
  const git = (args: string[]) => repo.git(args).trim();
  const fixture: RevertFixture = {
    ...project,
    git,
    gitFails: (args) =>
      spawnSync('git', args, { cwd: repo.dir, env: repo.env, stdio: 'ignore' }).status !== 0,
    onMain: (file) => {
      try {
        return repo.git(['show', `main:${file}`]);
      } catch {
        return null;
      }
    },
    planOnMain: () => repo.git(['show', 'main:yardmaster/tracks/slug/plan.md']),
    mainSha: () => git(['rev-parse', 'main']),
    revertWorktrees: () => {
      const dir = path.join(repo.root, 'repo.yardmaster');
      return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('.revert-')) : [];
    },
    status: async () => JSON.parse((await project.ym(['status', '--json'])).stdout),
    stateDir: path.join(repo.dir, '.git', 'yardmaster'),
  };
  return fixture;
}

/** The marker of each task in a plan: { '1.1': 'x', ... }. */
export function markers(plan: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of plan.matchAll(/^- \[(.)\] (\d+\.\d+)/gm)) out[m[2]!] = m[1]!;
  return out;
}

/** The trailers of a commit on main: { 'Yardmaster-Track': [...], ... }. */
export function trailers(f: RevertFixture, rev: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of f
    .git(['log', '-1', '--format=%(trailers:only,unfold)', rev])
    .split('\n')
    .filter(Boolean)) {
    const [key = '', ...rest] = line.split(':');
    (out[key] ??= []).push(rest.join(':').trim());
  }
  return out;
}
