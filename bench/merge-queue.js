// The merge queue (issue 5, "Must show"): 20 ready tracks, each touching its own file, with a
// 0.5 s check (`sleep 0.5`): `ym merge` (local provider, rebase strategy) against a bash loop
// doing the same git work one track at a time: rebase the track's worktree onto the target, run
// the check there, move the target by compare-and-swap (`git update-ref <ref> <new> <old>`).
// Budget 1.15x. The 20 checks alone take 10 s on both sides; the budget leaves yardmaster about
// 75 ms per track for everything else it does (state.db, the lock, its safety checks).
//
// The loop also does what `ym merge` does after landing, so both end in the same state: the main
// checkout, which has the target checked out, follows it (`git read-tree -m -u old new`, as ym
// does; without it the user's checkout would show every merged file as a change), and the
// track's branch is deleted with its worktree left detached for the pool (merge.deleteBranch
// and worktrees.reuse, both on by default).
//
// The tracks are made ready by `ym implement --no-merge` with the scripted agent (not timed).
// That repository and its worktrees are then copied aside, and restored to the same place before
// every measured run (worktrees and state.db record absolute paths), so every run of either side
// starts from the same 20 ready tracks.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CLI, git, interleave, ratioOf } from './lib.js';
import { YM_ENV, bash, copyTree, makeProject, snapshotBench, ym } from './project.js';

const TRACKS = 20;

const SCRIPT = `#!/usr/bin/env bash
# The same git work as \`ym merge\` (local provider, rebase strategy), one track at a time.
set -euo pipefail
repo=$1; shift
# The checkouts were just restored from a copy: bring the main checkout's stat cache up to date
# once, so read-tree below can trust it (ym's git status of that checkout does the same).
git -C "$repo" update-index -q --refresh || true
for id in "$@"; do
  wt="$repo.yardmaster/$id"
  target=$(git -C "$repo" rev-parse --verify refs/heads/main)
  git -C "$wt" rebase --quiet "$target"
  head=$(git -C "$wt" rev-parse HEAD)
  (cd "$wt" && sleep 0.5)
  # Compare-and-swap: main moves only if it is still where the rebase started from.
  git -C "$repo" update-ref -m "bench: land $id" refs/heads/main "$head" "$target"
  # What ym does after landing: the main checkout follows, the branch goes, the worktree stays.
  git -C "$repo" read-tree -m -u "$target" "$head"
  git -C "$wt" switch --quiet --detach
  git -C "$repo" branch --quiet -D "ym/$id"
done
`;

// Each run takes seconds: no warm-up round (the median of five drops a cold first run), so the
// suite stays within about three minutes on two cores.
export async function run({ runs = 5, warmup = 0 } = {}) {
  const bench = snapshotBench('ym-bench-merge-', {
    script: ['merge-loop.sh', SCRIPT],
    tracks: TRACKS,
  });
  try {
    const { snap, work, trash, repo, script, ids } = bench;
    const files = Object.fromEntries(
      ids.map((id) => [
        path.join('yardmaster', 'tracks', id, 'agent-script.json'),
        JSON.stringify({
          attempts: [
            {
              files: { [`src/${id}.txt`]: `${id} was here\n` },
              tick: 'all',
              commit: `feat: ${id}`,
            },
          ],
        }),
      ]),
    );
    makeProject(repo, {
      config: {
        agent: 'scripted',
        concurrency: 8,
        checks: [{ name: 'half-second', run: ['sleep', '0.5'] }],
        merge: { provider: 'local', strategy: 'rebase' },
      },
      tracks: ids,
      files,
    });
    ym(repo, ['implement', '--no-merge', '--yes']);
    const before = Number(git(repo, 'rev-list', '--count', 'main'));
    copyTree(work, snap, trash);

    const assertMerged = () => {
      const count = Number(git(repo, 'rev-list', '--count', '--first-parent', 'main'));
      if (count !== before + TRACKS)
        throw new Error(`main has ${count - before} new commits, expected ${TRACKS}`);
      const landed = git(repo, 'ls-tree', '--name-only', 'main', 'src/').split('\n');
      if (landed.length !== TRACKS)
        throw new Error(`main has ${landed.length} track files, expected ${TRACKS}`);
      const dirty = git(repo, 'status', '--porcelain');
      if (dirty) throw new Error(`the main checkout is not clean after merging:\n${dirty}`);
    };
    const samples = await interleave(
      {
        ym: {
          before: () => copyTree(snap, work, trash),
          run: () => {
            const r = spawnSync(process.execPath, [CLI, '--cwd', repo, 'merge', '--yes'], {
              env: YM_ENV,
              encoding: 'utf8',
            });
            if (r.status !== 0)
              throw new Error(`ym merge exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
          },
          after: assertMerged,
        },
        bash: {
          before: () => copyTree(snap, work, trash),
          run: () => bash(script, [repo, ...ids]),
          after: assertMerged,
        },
      },
      { runs, warmup },
    );
    return [
      ratioOf(
        `merge queue, ${TRACKS} tracks, 0.5 s check vs bash loop`,
        samples.ym,
        samples.bash,
        1.15,
      ),
    ];
  } finally {
    bench.cleanup();
  }
}
