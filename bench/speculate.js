// The speculative merge queue (issue 15, "Must show"): 20 ready tracks, each touching its own
// file, through `ym merge --speculate 4` against the serial queue (`ym merge --speculate 1`), side
// by side: the same snapshot restored before every run, the two sides alternated round after
// round (lib.js interleave), medians compared. Budgets, as ratios of speculate 4 to serial:
//   - a check that waits 1 s (I/O-bound, as a remote test run is), no failing track: 1/3.5x
//     (3.5x faster; 4x is the limit with 4 candidates at once);
//   - the same check, 2 of the 20 tracks failing only in combination with an earlier one (both
//     pass alone, at `implement`; together they repeat a name the check rejects): 1/2.8x.
// A reference row without budget: the check burns 1 s of CPU instead of waiting. On 2 cores
// four checks at once share two cores, so speculation cannot give more than about 2x there.
//
// Beside each row, the check runs each side spent: counted from the check's own log (one line
// per invocation) and, for speculation, `ym merge --json`'s `speculation` figures (runs the
// window started, stopped, setbacks). The serial queue runs one check per track it tries.
//
// The check reads its mode from a file beside the snapshot (`quick` while the tracks are made
// ready, then `io` or `cpu`), so one committed yardmaster.json serves every row. The tracks are
// made ready by `ym implement --no-merge` with the scripted agent (not timed); only `ym merge`
// is timed.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, git, interleave, median, ratioOf } from './lib.js';
import { YM_ENV, copyTree, makeProject, snapshotBench, ym } from './project.js';

const TRACKS = 20;

// The project's test suite: every name in reg/ is unique. A track alone always passes; two
// tracks that register the same name fail together, whichever lands second.
const CHECK = `// argv: the bench's directory (check-mode, checks.log)
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
const dir = process.argv[2];
const mode = readFileSync(dir + '/check-mode', 'utf8').trim();
appendFileSync(dir + '/checks.log', process.pid + ' ' + mode + '\\n');
if (mode === 'io') await new Promise((resolve) => setTimeout(resolve, 1000));
if (mode === 'cpu') {
  // 1 s of this process's own CPU, however long the machine makes it take.
  let x = 0;
  for (;;) {
    for (let i = 0; i < 1e6; i++) x = (x * 31 + i) | 0;
    const { user, system } = process.cpuUsage();
    if (user + system >= 1e6) break;
  }
}
const seen = new Set();
for (const f of readdirSync('reg')) {
  const name = readFileSync('reg/' + f, 'utf8').trim();
  if (seen.has(name)) {
    console.error('name registered twice: ' + name);
    process.exit(1);
  }
  seen.add(name);
}
`;

/**
 * One bench project: 20 tracks made ready, snapshotted. `clashes`: pairs [earlier, later] of
 * track numbers that register the same name (the later one fails in the queue).
 */
function prepare(clashes) {
  const bench = snapshotBench('ym-bench-speculate-', {
    script: ['check.mjs', CHECK],
    tracks: TRACKS,
  });
  const { repo, ids, script } = bench;
  const root = path.dirname(script);
  const mode = (m) => writeFileSync(path.join(root, 'check-mode'), `${m}\n`);
  const log = path.join(root, 'checks.log');
  const nameOf = (i) => {
    const pair = clashes.findIndex((c) => c.includes(i));
    return pair === -1 ? `name-${ids[i]}` : `shared-name-${pair}`;
  };
  const files = Object.fromEntries(
    ids.map((id, i) => [
      path.join('yardmaster', 'tracks', id, 'agent-script.json'),
      JSON.stringify({
        attempts: [
          { files: { [`reg/${id}.txt`]: `${nameOf(i)}\n` }, tick: 'all', commit: `feat: ${id}` },
        ],
      }),
    ]),
  );
  mode('quick');
  makeProject(repo, {
    config: {
      agent: 'scripted',
      concurrency: 8,
      // A track that fails on the merged result is failed at once: `ym merge` runs no agent.
      attempts: 1,
      checks: [{ name: 'suite', run: [process.execPath, script, root] }],
      merge: { provider: 'local', strategy: 'rebase' },
    },
    tracks: ids,
    files,
  });
  ym(repo, ['implement', '--no-merge', '--yes']);
  const before = Number(git(repo, 'rev-list', '--count', 'main'));
  copyTree(bench.work, bench.snap, bench.trash);
  return { ...bench, mode, log, before, failing: clashes.map(([, later]) => ids[later]) };
}

/** One timed side: `ym merge --speculate <n> --json`, with what it merged and the check runs it spent. */
function side(b, speculate, runs) {
  return {
    before: () => {
      copyTree(b.snap, b.work, b.trash);
      writeFileSync(b.log, '');
    },
    run: () => {
      const r = spawnSync(
        process.execPath,
        [CLI, '--cwd', b.repo, 'merge', '--yes', '--json', '--speculate', String(speculate)],
        { env: YM_ENV, encoding: 'utf8' },
      );
      // Exit 1 when a track failed its checks: expected when some do.
      if (r.status !== 0 && !(r.status === 1 && b.failing.length))
        throw new Error(`ym merge exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      runs.push({
        out: JSON.parse(r.stdout),
        checks: readFileSync(b.log, 'utf8').split('\n').length - 1,
      });
    },
    after: () => {
      const { out } = runs.at(-1);
      const merged = out.results.filter((x) => x.outcome === 'merged').map((x) => x.id);
      const failed = out.results.filter((x) => x.state === 'failed').map((x) => x.id);
      const want = b.ids.filter((id) => !b.failing.includes(id));
      if (merged.join() !== want.join() || failed.sort().join() !== [...b.failing].sort().join())
        throw new Error(
          `speculate ${speculate}: merged ${merged.join(' ')}; failed ${failed.join(' ')}`,
        );
      const count = Number(git(b.repo, 'rev-list', '--count', '--first-parent', 'main'));
      if (count !== b.before + want.length)
        throw new Error(`main has ${count - b.before} new commits, expected ${want.length}`);
    },
  };
}

/** "20 (started 23, stopped 3, setbacks 2)": the check runs of one side, medians over its runs. */
function checkRuns(runs) {
  const logged = median(runs.map((r) => r.checks));
  const spec = runs.map((r) => r.out.speculation).filter(Boolean);
  if (!spec.length) return `${logged}`;
  const m = (k) => median(spec.map((s) => s[k]));
  return `${logged} (window: started ${m('started')}, stopped ${m('stopped')}, setbacks ${m('setbacks')})`;
}

function compareSides(b, name, budget, { runs, warmup }) {
  const serial = [];
  const wide = [];
  const samples = interleave(
    { serial: side(b, 1, serial), speculate4: side(b, 4, wide) },
    { runs, warmup },
  );
  return samples.then((s) => {
    const row = ratioOf(name, s.speculate4, s.serial, budget);
    // Warm-up rounds are not counted in the times: nor in the runs.
    row.note = `check runs: speculate 4 ${checkRuns(wide.slice(warmup))}, serial ${checkRuns(serial.slice(warmup))}`;
    row.checkRuns = {
      speculate4: wide.slice(warmup).map((r) => ({ logged: r.checks, ...r.out.speculation })),
      serial: serial.slice(warmup).map((r) => r.checks),
    };
    return row;
  });
}

// A serial run takes about 25 s, a speculative one 6 to 13 s: three rounds of each (no warm-up;
// the median of three drops one cold or disturbed run) keep the suite within about 6 minutes.
export async function run({ runs = 3, warmup = 0 } = {}) {
  const rows = [];
  const clean = prepare([]);
  try {
    clean.mode('io');
    rows.push(
      await compareSides(
        clean,
        `speculate 4 vs serial, ${TRACKS} tracks, 1 s I/O-bound check`,
        1 / 3.5,
        { runs, warmup },
      ),
    );
    clean.mode('cpu');
    rows.push(
      await compareSides(clean, `  same, 1 s CPU-bound check (2 cores: reference)`, undefined, {
        runs,
        warmup,
      }),
    );
  } finally {
    clean.cleanup();
  }
  // Tracks 6 and 14 repeat the names of tracks 3 and 11: each passes alone and fails on top.
  const clashing = prepare([
    [3, 6],
    [11, 14],
  ]);
  try {
    clashing.mode('io');
    rows.push(
      await compareSides(
        clashing,
        `speculate 4 vs serial, 2 of ${TRACKS} failing in combination, 1 s I/O check`,
        1 / 2.8,
        { runs, warmup },
      ),
    );
  } finally {
    clashing.cleanup();
  }
  return rows;
}
