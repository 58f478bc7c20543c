// A repository with yardmaster set up and one track with its branch, made with plain git (no
// CLI, so no state.db): main holds yardmaster.json and the track's documents, and the track
// branch adds work on top, its plan ticked and its commits carrying the track trailer unless
// told otherwise. The track branch is left checked out.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { makeRepo, type TestRepo } from './repo.js';

export interface TrackRepoOptions {
  /** yardmaster.json (default: target main, no configured checks). */
  config?: Record<string, unknown>;
  trackId?: string;
  scope?: string[];
  /** Tick every task on the branch (default true). */
  planDone?: boolean;
  /** Commit the branch's work with the Yardmaster-Track trailer (default true). */
  trailer?: boolean;
  /** Files the branch's commit writes (default: src/<id>.js). */
  files?: Record<string, string>;
}

export interface TrackRepo extends TestRepo {
  trackId: string;
  branch: string;
  /** Runs git and returns its exit code and output instead of throwing. */
  gitResult(
    args: readonly string[],
    cwd?: string,
    input?: string,
  ): { code: number | null; stdout: string; stderr: string };
}

export function planText(done: boolean): string {
  const m = done ? 'x' : ' ';
  return `# Plan: Add slugify\n\n## Phase 1: Implement\n- [${m}] 1.1 Write a failing test\n- [${m}] 1.2 Implement it\n- [-] 1.3 Skipped on purpose\n`;
}

export function makeTrackRepo(opts: TrackRepoOptions = {}): TrackRepo {
  const id = opts.trackId ?? 'slugify';
  const repo = makeRepo({
    files: {
      'yardmaster.json': `${JSON.stringify({ target: 'main', ...opts.config }, null, 2)}\n`,
      [`yardmaster/tracks/${id}/track.json`]: `${JSON.stringify(
        {
          id,
          title: 'Add slugify',
          type: 'feature',
          dependsOn: [],
          ...(opts.scope ? { scope: opts.scope } : {}),
          createdAt: '2025-01-01T00:00:00.000Z',
        },
        null,
        2,
      )}\n`,
      [`yardmaster/tracks/${id}/spec.md`]: '# Spec: Add slugify\n',
      [`yardmaster/tracks/${id}/plan.md`]: planText(false),
    },
  });
  const branch = `ym/${id}`;
  repo.git(['switch', '-q', '-c', branch]);
  for (const [rel, text] of Object.entries(
    opts.files ?? { [`src/${id}.js`]: 'export const slugify = (s) => s;\n' },
  )) {
    repo.write(rel, text);
  }
  repo.write(`yardmaster/tracks/${id}/plan.md`, planText(opts.planDone ?? true));
  repo.git(['add', '-A']);
  const message =
    opts.trailer === false ? 'Implement slugify' : `Implement slugify\n\nYardmaster-Track: ${id}`;
  repo.git(['commit', '-q', '-m', message]);
  const gitResult = (args: readonly string[], cwd = repo.dir, input?: string) => {
    const r = spawnSync('git', [...args], {
      cwd,
      env: repo.env,
      encoding: 'utf8',
      input: input ?? '',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { ...repo, trackId: id, branch, gitResult };
}

/** True while a process exists and is not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Mode bits of a file (e.g. 0o755). */
export function fileMode(file: string): number {
  return statSync(file).mode & 0o777;
}
