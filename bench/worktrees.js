// Worktree provisioning on a generated 10,000-file repository (issue 3, "Must show"):
//   (a) the pool: recycling a merged track's clean worktree vs a fresh `git worktree add`
//       (goal: at least 20x faster, i.e. a ratio of at most 0.05);
//   (b) a fresh worktree through yardmaster vs raw `git worktree add -b` (budget 1.1x).
//
// Both yardmaster sides run yardmaster's own code, not a copy of its git commands: the bench
// bundles `provisionWorktree` (src/worktrees/provision.ts) with esbuild into a temporary module and
// calls it in this process, with a real Context, config and state.db, exactly as `implement`
// does. It times only the provisioning step, not a whole `ym implement --no-merge`: a run adds
// node start-up, the agent, its commit and the checks, which bench/orchestration.js measures;
// here they would only dilute the figure this budget is about. What is timed on the yardmaster
// side is everything provisioning does: the worktree lock in state.db, `git worktree list`,
// the branch lookup, the donor's `git status` (never recycle uncommitted work), then
// `worktree move` + `switch -C <branch> <base>` + `clean -fdq` (pool) or `worktree add
// --no-checkout -b` + `checkout --force` + `hook run post-checkout` (fresh: the checkout runs
// after the worktree lock, so tracks check out in parallel), and the records in state.db.
//
// The raw sides are the bare git commands, each spawned from this process: `git worktree add -b`,
// and for reference (no budget) the pool's three git commands alone. Also for reference, each
// yardmaster side against the git commands it ran itself in the same run (timed through the
// Context's process runner): its own overhead, free of the run-to-run noise of writing 10,000
// files, which on a busy machine is larger than the 1.1x budget; and the pool against every git
// command it ran, the donor's `git status` included (what is left is JavaScript and state.db).
// Every side is reset between runs, untimed: the pooled worktree goes back to its donor's place
// and commit, fresh ones are moved aside and pruned (deleted at the end: see discard() in
// project.js). The donor is a real merged track (`ym implement` + `ym merge`), and the target
// has moved on by one commit since, so each switch updates files as it would in use.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ROOT, git, interleave, ratioOf, tempDir } from './lib.js';
import { discard, generateTree, makeProject, ym } from './project.js';

const FILES = 10_000;

export async function run({ runs = 7, warmup = 1 } = {}) {
  const tmp = tempDir('ym-bench-worktrees-');
  const cleanups = [];
  try {
    const root = realpathSync(tmp.dir);
    const repo = path.join(root, 'repo');
    const wt = path.join(root, 'repo.yardmaster'); // worktrees.dir default: ../{repo}.yardmaster
    mkdirSync(repo);
    generateTree(repo, FILES);
    makeProject(repo, {
      existing: true,
      config: { agent: 'scripted' },
      tracks: ['donor', 'pooled', 'fresh'],
    });
    // A merged track leaves its clean worktree detached, for the pool.
    ym(repo, ['implement', '--no-merge', '--yes', 'donor']);
    ym(repo, ['merge', '--yes', 'donor']);
    const donorSha = git(repo, 'rev-parse', 'main');
    for (let i = 0; i < 10; i++) appendFileSync(path.join(repo, `d${i}`, `f${i}.txt`), 'changed\n');
    git(repo, 'commit', '--quiet', '-am', 'bench: the target moves on');
    const rawDonor = path.join(wt, 'raw-donor');
    git(repo, 'worktree', 'add', '--quiet', '--detach', rawDonor, donorSha);

    const { provisionWorktree, createContext, createRunEnv, runProcess } =
      await loadYardmaster(root);
    // Every git command yardmaster runs, timed, so its own overhead can be told from git's.
    let gitCalls = [];
    const timedRun = async (file, args, opts) => {
      const start = process.hrtime.bigint();
      try {
        return await runProcess(file, args, opts);
      } finally {
        gitCalls.push({ args, ms: Number(process.hrtime.bigint() - start) / 1e6 });
      }
    };
    const gitMs = (...subcommands) =>
      gitCalls
        .filter((c) => subcommands.some((sub) => sub.every((word, i) => c.args[i] === word)))
        .reduce((sum, c) => sum + c.ms, 0);
    const io = {
      run: timedRun,
      env: process.env,
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdinIsTTY: false,
    };
    const { ctx, cleanups: ctxCleanups } = createContext(
      { cwd: repo, json: false, debug: false, yes: true },
      io,
      new AbortController().signal,
    );
    cleanups.push(async () => {
      for (const fn of ctxCleanups.reverse()) await fn();
    });
    const env = await createRunEnv(ctx, () => undefined);
    const fresh = {
      ...env,
      config: { ...env.config, worktrees: { ...env.config.worktrees, reuse: false } },
    };
    const { store } = env;
    const base = 'refs/heads/main';
    const donorPath = path.join(wt, 'donor');
    if (store.getTrack('donor')?.worktree !== donorPath)
      throw new Error(
        `the donor track has no pooled worktree: ${JSON.stringify(store.getTrack('donor'))}`,
      );

    const expect = (how) => (p) => {
      if (p.how !== how) throw new Error(`expected a ${how} worktree, got ${p.how} (${p.path})`);
    };
    // Removed worktrees are moved aside, not deleted, until the end (see discard()).
    const removeWorktree = (dir, branch) => {
      discard(dir, path.join(root, 'trash'));
      git(repo, 'worktree', 'prune');
      git(repo, 'branch', '--quiet', '-D', branch);
    };
    const putBack = (from, to, branch) => {
      git(repo, 'worktree', 'move', from, to);
      git(to, 'switch', '--quiet', '--detach', donorSha);
      git(repo, 'branch', '--quiet', '-D', branch);
    };
    const sh = (args, cwd = repo) => {
      const r = spawnSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    };
    const inner = { pool: [], poolAll: [], add: [] };
    const samples = await interleave(
      {
        ymPool: {
          before: () => (gitCalls = []),
          run: async () =>
            expect('recycled')(await provisionWorktree(env, store.getTrack('pooled'), base)),
          after: () => {
            inner.pool.push(gitMs(['worktree', 'move'], ['switch'], ['clean']));
            inner.poolAll.push(gitMs([]));
            putBack(path.join(wt, 'pooled'), donorPath, 'ym/pooled');
            store.patchTrack('donor', { worktree: donorPath });
            store.patchTrack('pooled', { worktree: null, branch: null });
          },
        },
        ymFresh: {
          before: () => (gitCalls = []),
          run: async () =>
            expect('fresh')(await provisionWorktree(fresh, store.getTrack('fresh'), base)),
          after: () => {
            inner.add.push(
              gitMs(
                ['worktree', 'add'],
                ['-c', 'core.hooksPath=/dev/null', 'checkout'],
                ['hook', 'run'],
              ),
            );
            removeWorktree(path.join(wt, 'fresh'), 'ym/fresh');
            store.patchTrack('fresh', { worktree: null, branch: null });
          },
        },
        rawPool: {
          run: () => {
            const to = path.join(wt, 'raw-pooled');
            sh(['worktree', 'move', rawDonor, to]);
            sh(['switch', '--quiet', '--no-guess', '-C', 'bench/raw-pool', base], to);
            sh(['clean', '-fdq'], to);
          },
          after: () => putBack(path.join(wt, 'raw-pooled'), rawDonor, 'bench/raw-pool'),
        },
        rawAdd: {
          run: () => sh(['worktree', 'add', '-b', 'bench/raw-add', path.join(wt, 'raw-add'), base]),
          after: () => removeWorktree(path.join(wt, 'raw-add'), 'bench/raw-add'),
        },
      },
      { runs, warmup },
    );
    return [
      ratioOf(
        'worktree pool, 10k files (ym) vs git worktree add',
        samples.ymPool,
        samples.rawAdd,
        0.05,
      ),
      ratioOf(
        'fresh worktree, 10k files (ym) vs git worktree add -b',
        samples.ymFresh,
        samples.rawAdd,
        1.1,
      ),
      // For reference, no budget: where the time goes. The same git commands run bare, and
      // yardmaster's provisioning against the git commands it ran itself in the same run.
      ratioOf(
        '  raw move + switch -C + clean vs git worktree add',
        samples.rawPool,
        samples.rawAdd,
      ),
      ratioOf(
        '  ym pool vs its own move + switch -C + clean',
        samples.ymPool,
        inner.pool.slice(warmup),
      ),
      ratioOf(
        '  ym pool vs all its git (+ the donor status)',
        samples.ymPool,
        inner.poolAll.slice(warmup),
      ),
      ratioOf(
        '  ym fresh vs its own worktree add --no-checkout + checkout + hook run',
        samples.ymFresh,
        inner.add.slice(warmup),
      ),
    ];
  } finally {
    for (const fn of cleanups) await fn();
    tmp.cleanup();
  }
}

/**
 * Bundles the provisioning code from src/ (TypeScript) into one module in `dir` and imports it.
 * better-sqlite3 (a native addon) stays external, loaded from this project's node_modules.
 */
async function loadYardmaster(dir) {
  const { build } = await import('esbuild');
  const out = path.join(dir, 'yardmaster-provision.mjs');
  const sqlite = path.join(ROOT, 'node_modules', 'better-sqlite3', 'lib', 'index.js');
  await build({
    stdin: {
      contents: [
        "export { provisionWorktree } from './worktrees/provision.ts';",
        "export { createRunEnv } from './runtime/env.ts';",
        "export { createContext } from './cli/runner.ts';",
        "export { runProcess } from './proc/run.ts';",
      ].join('\n'),
      resolveDir: path.join(ROOT, 'src'),
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: {
      js: "import { createRequire as __ymRequire } from 'node:module'; const require = __ymRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'native-sqlite',
        setup: (b) =>
          b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true })),
      },
    ],
    logLevel: 'warning',
  });
  return import(out);
}
