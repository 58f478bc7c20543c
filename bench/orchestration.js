// Orchestration overhead (issue 3, "Must show"): 50 independent tracks, the built-in `scripted`
// agent with no script (it ticks every task of plan.md and commits) and one no-op check
// (`{"name":"noop","run":["true"]}`), concurrency 8: `ym implement --no-merge` against a bash
// script doing the same git work 8 at a time with `xargs -P 8`: per track `git worktree add -b`,
// tick plan.md, `git add` + `git commit` with the track trailer, run `true` in the worktree.
// Budget 1.5x.
//
// The script serializes `git worktree add` with flock, as yardmaster does: run in parallel,
// concurrent adds in one repository fail ("failed to read .git/worktrees/<id>/commondir").
// The yardmaster side also pays for what a real run needs and the script does not do: a node
// process per agent (the scripted agent is the workload here, and it is a node program), the
// prompt file, run logs, the lease and every state change in state.db.
//
// For reference (no budget), the same script also runs with the scripted agent itself doing each
// track's work (tick and commit), as in yardmaster: what is left is yardmaster's own overhead.
// And `ym implement` runs with a `custom` agent that is not a node program, `sh -c` doing the
// script's own sed + add + commit: against the budgeted baseline, that leaves out the 50 node
// start-ups of the scripted agent, which the script does not pay.
//
// Every measured run starts from a fresh copy of the same planned repository (setup and the
// copy are not timed); each run takes seconds, so there are few of them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
# The same git work as \`ym implement --no-merge\` with the scripted agent and a no-op check.
# With a second argument, that agent (a node program) does each track's tick and commit.
set -euo pipefail
export repo=$1 agent=\${2:-}
one() {
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

// Each run takes seconds: no warm-up round (the median of five drops a cold first run), so the
// suite stays within about three minutes on two cores.
export async function run({ runs = 5, warmup = 0 } = {}) {
  const bench = snapshotBench('ym-bench-orchestration-', {
    script: ['orchestration.sh', SCRIPT],
    tracks: TRACKS,
  });
  try {
    const { snap, work, trash, repo, script, ids } = bench;
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
    const samples = await interleave(
      {
        ym: {
          before: () => copyTree(snap, work, trash),
          run: implement([]),
          after: () => assertDone(repo, ids),
        },
        ymSh: {
          before: () => copyTree(snap, work, trash),
          run: implement(['--agent', 'sh']),
          after: () => assertDone(repo, ids),
        },
        bash: {
          before: () => copyTree(snap, work, trash),
          run: () => bash(script, [repo]),
          after: () => assertDone(repo, ids),
        },
        bashAgent: {
          before: () => copyTree(snap, work, trash),
          run: () => bash(script, [repo, AGENT]),
          after: () => assertDone(repo, ids),
        },
      },
      { runs, warmup },
    );
    return [
      ratioOf(
        `implement ${TRACKS} tracks, concurrency ${CONCURRENCY} vs bash xargs -P ${CONCURRENCY}`,
        samples.ym,
        samples.bash,
        1.5,
      ),
      ratioOf(
        '  implement vs the same script running the scripted agent',
        samples.ym,
        samples.bashAgent,
      ),
      ratioOf(
        '  implement, agent sh -c sed + commit vs bash xargs (no node agent)',
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
