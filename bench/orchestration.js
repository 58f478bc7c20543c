// Orchestration overhead (issue 3, "Must show"): 50 independent tracks, the built-in `scripted`
// agent with no script (it ticks every task of plan.md and commits) and one no-op check
// (`{"name":"noop","run":["true"]}`), concurrency 8: `ym implement --no-merge` against a bash
// script doing the same work 8 at a time with `xargs -P 8`. Budget 1.5x.
//
// "The same work" is every process yardmaster starts for a track, in the same order: `git
// worktree add --no-checkout` (one at a time, under flock, as yardmaster serializes it: run in
// parallel, concurrent adds in one repository fail with "failed to read
// .git/worktrees/<id>/commondir"), `git checkout --force`, the same scripted agent (the same
// node, the YM_* variables it reads; its own `git add` and `git commit`), then what yardmaster
// does with the result: `git status` (anything left uncommitted?), `git log` of the new
// commits (their trailers), the built-in checks' `git merge-base`, `git diff`, `git grep`
// (conflict markers) and `git log` (trailers), and the no-op check. What is left between the
// two is each side's own orchestration: for yardmaster node and its modules, state.db (the
// lease, every state change), the prompt file, the run logs, the scheduler, and starting each
// process from node; for the script xargs, a bash per track, flock, and bash's subshells.
//
// For reference (no budget), the script this bench used to be budgeted against does less: a
// `sed` instead of the agent, then `git add` + `git commit`, and no validation. Against it,
// yardmaster cannot reach 1.5x on two cores whatever it does: the scripted agent is a node
// program (the agent contract, PRODUCT.md: an external program), and its 50 start-ups alone
// cost more CPU than that whole script. The "floor" row measures this: the minimal script with
// the scripted agent in place of its `sed`, no orchestrator at all. A `custom` agent that is
// not a node program (`sh -c` doing the minimal script's own sed + add + commit) is measured
// too.
//
// Every measured run starts from a fresh copy of the same planned repository (setup and the
// copy are not timed); each run takes seconds, so there are few of them.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, git, interleave, ratioOf } from './lib.js';
import { YM_ENV, bash, copyTree, makeProject, snapshotBench } from './project.js';

const TRACKS = 50;
const CONCURRENCY = 8;
const AGENT = path.join(ROOT, 'dist', 'agents', 'scripted-agent.cjs');

// The script's own agent work, as a `custom` agent (YM_TRACK_DIR is relative to the worktree).
const SH_AGENT = [
  'sh',
  '-c',
  `sed -i 's/^- \\[ \\]/- [x]/' "$YM_TRACK_DIR/plan.md" && git add --all && git commit --quiet -m "chore: complete the plan of $YM_TRACK_ID" --trailer "Yardmaster-Track: $YM_TRACK_ID"`,
];

const SCRIPT = `#!/usr/bin/env bash
# The minimal script (reference): per track, worktree add, tick plan.md with sed, add, commit.
# With a second argument, that agent (a node program) does each track's tick and commit.
set -euo pipefail
export repo=$1 agent=\${2:-}
one() {
  set -euo pipefail
  local id=$1
  local wt="$repo.yardmaster/$id"
  # git worktree add is not safe to run concurrently in one repository: one at a time.
  flock "$repo/.git/bench-worktree.lock" git -C "$repo" worktree add --quiet -b "ym/$id" "$wt" refs/heads/main
  if [ -n "$agent" ]; then
    (cd "$wt" && YM_TRACK_ID=$id YM_TRACK_DIR="yardmaster/tracks/$id" YM_ATTEMPT=1 node "$agent" >/dev/null)
  else
    sed -i 's/^- \\[ \\]/- [x]/' "$wt/yardmaster/tracks/$id/plan.md"
    git -C "$wt" add --all
    git -C "$wt" commit --quiet -m "chore: complete the plan of $id" --trailer "Yardmaster-Track: $id"
  fi
  (cd "$wt" && true)
}
export -f one
ls "$repo/yardmaster/tracks" | xargs -P ${CONCURRENCY} -n 1 bash -c 'one "$1"' _
`;

// The budgeted baseline: every process \`ym implement --no-merge\` starts for a track (see the top).
const SAME = `#!/usr/bin/env bash
set -euo pipefail
export repo=$1 agent=$2 node=$3 target true_bin
target=$(git -C "$repo" rev-parse --verify --quiet 'refs/heads/main^{commit}')
true_bin=$(type -P true)
one() {
  set -euo pipefail
  local id=$1
  local wt="$repo.yardmaster/$id"
  flock "$repo/.git/bench-worktree.lock" git -C "$repo" worktree add --quiet --no-checkout -b "ym/$id" "$wt" refs/heads/main
  git -C "$wt" checkout --force --quiet
  (cd "$wt" && YM_TRACK_ID=$id YM_TRACK_DIR="yardmaster/tracks/$id" YM_ATTEMPT=1 YM_BRANCH="ym/$id" YM_TARGET=main "$node" "$agent" >/dev/null)
  git -C "$wt" status --porcelain=v2 --branch -z --untracked-files=all >/dev/null
  local log last head base changed
  log=$(git -C "$wt" log --reverse --topo-order --format='%H %P%x1f%(trailers:key=Yardmaster-Track,valueonly,separator=%x1f)%x1e' "$target..HEAD")
  last=\${log%$'\\x1e'}
  head=\${last##*$'\\x1e\\n'}
  head=\${head%% *}
  base=$(git -C "$wt" merge-base "$target" "$head")
  changed=$(git -C "$wt" diff --name-only --no-renames --no-ext-diff "$base" "$head")
  local specs=()
  while IFS= read -r f; do specs+=(":(literal)$f"); done <<< "$changed"
  git -C "$wt" grep -I -n -z --no-color -E -e '^(<<<<<<<|>>>>>>>|=======)' "$head" -- "\${specs[@]}" >/dev/null || [ $? -eq 1 ]
  git -C "$wt" log --no-merges --format='%H%x1f%s%x1f%(trailers:key=Yardmaster-Track,valueonly)%x1e' "$base..$head" >/dev/null
  (cd "$wt" && "$true_bin")
}
export -f one
ls "$repo/yardmaster/tracks" | xargs -P ${CONCURRENCY} -n 1 bash -c 'one "$1"' _
`;

// Each run takes seconds: no warm-up round (the median of five drops a cold first run), so the
// suite stays within about three minutes on two cores.
export async function run({ runs = 5, warmup = 0 } = {}) {
  const bench = snapshotBench('ym-bench-orchestration-', {
    script: ['orchestration.sh', SCRIPT],
    tracks: TRACKS,
  });
  try {
    const { snap, work, trash, repo, script, ids } = bench;
    const same = path.join(path.dirname(script), 'same-work.sh');
    writeFileSync(same, SAME);
    makeProject(repo, {
      config: {
        agent: 'scripted',
        concurrency: CONCURRENCY,
        checks: [{ name: 'noop', run: ['true'] }],
        agents: { sh: { command: SH_AGENT } },
      },
      tracks: ids,
    });
    copyTree(work, snap, trash);

    const implement = (extra) => () => {
      const r = spawnSync(
        process.execPath,
        [CLI, '--cwd', repo, 'implement', '--no-merge', '--yes', '--json', ...extra],
        { env: YM_ENV, encoding: 'utf8' },
      );
      if (r.status !== 0)
        throw new Error(`ym implement exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      const ready = JSON.parse(r.stdout).tracks.filter((t) => t.state === 'ready').length;
      if (ready !== TRACKS) throw new Error(`ym implement: ${ready}/${TRACKS} ready\n${r.stdout}`);
    };
    const side = (run) => ({
      before: () => copyTree(snap, work, trash),
      run,
      after: () => assertDone(repo, ids),
    });
    const samples = await interleave(
      {
        ym: side(implement([])),
        same: side(() => bash(same, [repo, AGENT, process.execPath])),
        ymSh: side(implement(['--agent', 'sh'])),
        bash: side(() => bash(script, [repo])),
        bashAgent: side(() => bash(script, [repo, AGENT])),
      },
      { runs, warmup },
    );
    return [
      ratioOf(
        `implement ${TRACKS} tracks, concurrency ${CONCURRENCY} vs bash xargs -P ${CONCURRENCY}, same work`,
        samples.ym,
        samples.same,
        1.5,
      ),
      ratioOf('  implement vs the minimal script (sed, add, commit)', samples.ym, samples.bash),
      ratioOf(
        '  floor: minimal script running the scripted agent vs the minimal script',
        samples.bashAgent,
        samples.bash,
      ),
      ratioOf(
        '  implement, agent sh -c sed + add + commit vs the minimal script',
        samples.ymSh,
        samples.bash,
      ),
    ];
  } finally {
    bench.cleanup();
  }
}

/** Every track's branch has one commit on top of main with its plan ticked. */
function assertDone(repo, ids) {
  for (const id of ids) {
    const ahead = git(repo, 'rev-list', '--count', `main..ym/${id}`);
    if (ahead !== '1') throw new Error(`ym/${id} is ${ahead} commit(s) ahead of main, expected 1`);
    const plan = readFileSync(
      path.join(`${repo}.yardmaster`, id, 'yardmaster', 'tracks', id, 'plan.md'),
      'utf8',
    );
    if (plan.includes('- [ ]')) throw new Error(`${id}: plan.md still has open tasks`);
  }
}
