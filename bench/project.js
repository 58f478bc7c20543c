// Bench fixtures: yardmaster projects in temporary repositories (yardmaster.json, tracks planned
// with `ym plan --from` and committed, as the tests make them), a generated 10,000-file tree,
// the built CLI run as a user would, and snapshot/restore so every measured run starts alike.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CLI, git, initRepo, tempDir } from './lib.js';

/** The CLI's environment: no prompts, no colour, no live view. */
export const YM_ENV = { ...process.env, CI: 'true', NO_COLOR: '1' };

/**
 * Git configuration of the machine (global, system) stays out of every measurement, on both
 * sides alike: hooks, fsmonitor or signing there would time the machine, not yardmaster.
 * Only this process's environment changes (children inherit it); no config file is touched.
 */
export function isolateGitConfig() {
  process.env.GIT_CONFIG_GLOBAL = '/dev/null';
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('YM_') || (key.startsWith('GIT_') && !key.startsWith('GIT_CONFIG')))
      delete process.env[key];
  }
}

/** Runs the built CLI in `repo`; throws with its output unless it exits 0. */
export function ym(repo, args) {
  const r = spawnSync(process.execPath, [CLI, '--cwd', repo, ...args], {
    env: YM_ENV,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(`ym ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * `count` files in directories of 100 (d0/f0.txt ...), committed on main in one commit through
 * `git fast-import` (no index, no working tree), then checked out: a few seconds, not minutes.
 */
export function generateTree(dir, count) {
  initRepo(dir);
  const chunks = [];
  for (let i = 0; i < count; i++) {
    const body = `file ${i}\nsome content of a small source file\n`;
    chunks.push(`blob\nmark :${i + 1}\ndata ${Buffer.byteLength(body)}\n${body}\n`);
  }
  chunks.push(
    'commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\ndata 18\ngenerated 10k tree\n',
  );
  for (let i = 0; i < count; i++)
    chunks.push(`M 100644 :${i + 1} d${Math.floor(i / 100)}/f${i % 100}.txt\n`);
  chunks.push('\n');
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, input: chunks.join('') });
  if (r.status !== 0) throw new Error(`git fast-import: ${r.stderr}`);
  git(dir, 'reset', '--quiet', '--hard', 'main');
}

/**
 * Makes `dir` a yardmaster project: yardmaster.json, the tracks through `ym plan --from`, any
 * extra files, all committed on main. `dir` may already be a repository (generateTree).
 */
export function makeProject(dir, { config, tracks, files = {}, existing = false }) {
  if (!existing) {
    initRepo(dir);
    writeFileSync(path.join(dir, 'README.md'), '# bench\n');
  }
  writeFileSync(
    path.join(dir, 'yardmaster.json'),
    JSON.stringify({ target: 'main', ...config }, null, 2),
  );
  const plan = path.join(dir, '.bench-tracks.json');
  writeFileSync(
    plan,
    JSON.stringify({
      objective: 'bench',
      tracks: tracks.map((id) => ({
        id,
        title: `Track ${id}`,
        dependsOn: [],
        phases: [{ title: 'Implement', tasks: ['Write tests', 'Implement'] }],
      })),
    }),
  );
  ym(dir, ['plan', '--from', plan, '--yes']);
  rmSync(plan);
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'bench: plan tracks');
}

/**
 * The places a bench that restores a snapshot before every run works in, below a new temporary
 * directory: `work/repo` (the project, created empty), `snap` (its copy, see copyTree), `trash`
 * (see discard) and `script`, the bash side (`[name, text]`), written out. `ids` are `tracks`
 * track ids: track-00, track-01, ... Call cleanup() at the end.
 */
export function snapshotBench(prefix, { script: [name, text], tracks }) {
  const tmp = tempDir(prefix);
  try {
    const root = realpathSync(tmp.dir);
    const work = path.join(root, 'work');
    const bench = {
      snap: path.join(root, 'snap'),
      work,
      trash: path.join(root, 'trash'),
      repo: path.join(work, 'repo'),
      script: path.join(root, name),
      ids: Array.from({ length: tracks }, (_, i) => `track-${String(i).padStart(2, '0')}`),
      cleanup: tmp.cleanup,
    };
    writeFileSync(bench.script, text);
    mkdirSync(bench.repo, { recursive: true });
    return bench;
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
}

/**
 * Moves `dir` out of the way into `<trash>/<n>`, to be deleted with the rest at the end.
 * Deleting thousands of files between measured runs makes the next runs' file writes slower
 * and noisier (seen on ext4 with online discard: a 10,000-file `git worktree add` went from
 * 0.3 s to 9 s over five add/remove cycles, and stayed at 0.3-0.8 s when the old worktrees
 * were renamed away instead), so the benches never delete during a measurement.
 */
export function discard(dir, trash) {
  mkdirSync(trash, { recursive: true });
  renameSync(dir, path.join(trash, String(readdirSync(trash).length)));
}

/**
 * Puts a copy of `from` (a directory holding a repository and its worktrees) at `to`, moving
 * what was there into `trash`. Worktrees and state.db record absolute paths, so a snapshot is
 * only ever restored to the place it was taken from.
 */
export function copyTree(from, to, trash) {
  if (existsSync(to)) discard(to, trash);
  const r = spawnSync('cp', ['-a', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cp -a ${from} ${to}: ${r.stderr}`);
}

/** Runs a bash script file with arguments; throws with its output unless it exits 0. */
export function bash(script, args) {
  const r = spawnSync('bash', [script, ...args], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`bash ${path.basename(script)} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}
