// Faults of a standalone `ym merge` (local provider): two merges at once over the same ready
// tracks, kill -9 at random points then `ym merge` again, and a target reset by someone else in
// the middle of the queue. After each: every ready track merged exactly once, every first-parent
// commit added to the target passed the checks on its exact tree, and no check is left running.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  FIXTURES,
  makeProject,
  useRecordingAgent,
  ymUntilKilled,
  type Project,
} from '../helpers/tracks.js';
import { errorMessage, recordReliability } from '../helpers/reliability.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

const SOAK = process.env.YM_SOAK === '1';

interface CheckRec {
  event: 'start' | 'pass';
  tree: string;
  head: string;
  pid: number;
}

/** A project whose tracks are all ready (implemented with --no-merge), checked by tree-check.mjs. */
async function readyTracks(
  ids: string[],
  checkSleepMs: number,
  config: Record<string, unknown> = {},
) {
  project = await makeProject({ tracks: ids.map((id) => ({ id })) });
  const p = project;
  const checkFile = path.join(p.repo.root, 'checks.jsonl');
  useRecordingAgent(
    p,
    { '*': { sleepMs: 10 } },
    {
      config: {
        checks: [
          {
            name: 'tree',
            run: [
              process.execPath,
              path.join(FIXTURES, 'tree-check.mjs'),
              checkFile,
              String(checkSleepMs),
            ],
          },
        ],
        ...config,
      },
    },
  );
  const r = await p.ym(['implement', '--no-merge', '--concurrency', '4'], {}, 120_000);
  expect(r.code, r.stderr).toBe(0);
  expect(await states(p)).toEqual(ids.map(() => 'ready'));
  const start = p.repo.git(['rev-parse', 'main']).trim();
  const checks = (): CheckRec[] =>
    existsSync(checkFile)
      ? readFileSync(checkFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as CheckRec)
      : [];
  return { p, start, checkFile, checks };
}

async function states(p: Project): Promise<string[]> {
  const r = await p.ym(['status', '--json']);
  return (JSON.parse(r.stdout) as { tracks: { state: string }[] }).tracks.map((t) => t.state);
}

/**
 * The invariants after the queue: target history first-parent linear over `start`, each track's
 * commit there exactly once, and every first-parent commit added passed the check on its tree.
 */
function verifyTarget(
  p: Project,
  start: string,
  ids: string[],
  checks: CheckRec[],
  theirs: string[] = [],
): number {
  const added = p.repo
    .git(['rev-list', '--first-parent', `${start}..main`])
    .split('\n')
    .filter(Boolean)
    .filter((sha) => !theirs.includes(p.repo.git(['log', '-1', '--format=%s', sha]).trim()));
  const all = p.repo
    .git(['rev-list', `${start}..main`])
    .split('\n')
    .filter(Boolean)
    .filter((sha) => !theirs.includes(p.repo.git(['log', '-1', '--format=%s', sha]).trim()));
  expect(all.sort()).toEqual([...added].sort()); // no merge commits: linear
  const passed = new Set(checks.filter((c) => c.event === 'pass').map((c) => c.tree));
  for (const sha of added)
    expect(
      passed.has(p.repo.git(['rev-parse', `${sha}^{tree}`]).trim()),
      `unvalidated commit ${sha} on main`,
    ).toBe(true);
  const subjects = p.repo.git(['log', '--format=%s', 'main']).split('\n');
  for (const id of ids) {
    expect(subjects.filter((s) => s === `${id}: work`).length, `${id} on main`).toBe(1);
    expect(p.repo.git(['show', `main:src/${id}.txt`])).toBe(`${id} was here\n`);
  }
  return added.length;
}

/** Processes whose command line names `marker` (a check left running), zombies excepted. */
function processesNaming(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker))
        found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const mergeOnce = (p: Project, killAfterMs: number | null) =>
  ymUntilKilled(p, ['merge'], killAfterMs);

describe('merge faults (local provider)', () => {
  it('two `ym merge` at once over the same ready tracks: one merge at a time, each track once', async () => {
    const ids = ['a', 'b', 'c', 'd'];
    // The serial queue (the speculative one checks several candidates at once by design; it
    // holds the same lock for its whole drain).
    const { p, start, checks } = await readyTracks(ids, 150, { merge: { speculate: 1 } });
    const implemented = checks().length;
    const [one, two] = await Promise.all([mergeOnce(p, null), mergeOnce(p, null)]);
    expect(one.code, one.out).toBe(0);
    expect(two.code, two.out).toBe(0);
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    expect(verifyTarget(p, start, ids, checks())).toBe(ids.length);
    // One merge at a time: no two merge-time checks overlapped (each start directly followed by
    // its own pass), and no track was checked twice.
    const during = checks().slice(implemented);
    expect(during.length).toBe(2 * ids.length);
    for (let i = 0; i < during.length; i += 2) {
      expect(during[i]).toMatchObject({ event: 'start' });
      expect(during[i + 1]).toMatchObject({ event: 'pass', pid: during[i]!.pid });
    }
    expect(p.repo.git(['status', '--porcelain'])).toBe('');
    recordReliability({
      suite: 'merge faults',
      tried:
        'two `ym merge` processes started at once over the same four ready tracks (local provider)',
      outcome:
        'both exit 0; the merge lock in state.db lets one land at a time, the other waits for it and skips what is already merged',
      nothingLost:
        "main first-parent linear with each track's commit exactly once; every commit added passed the check on its exact tree; the checkout clean",
    });
  }, 180_000);

  const BASE_SEED = Number(process.env.YM_CRASH_SEED ?? 4711);
  const SEEDS = SOAK ? [BASE_SEED, 3, 555, 90210] : [BASE_SEED];
  it.each(SEEDS)(
    'kill -9 of `ym merge` at random points, then `ym merge` again (seed %i)',
    async (startSeed) => {
      const ids = ['a', 'b', 'c', 'd', 'e'];
      const { p, start, checkFile, checks } = await readyTracks(ids, 300);
      let seed = startSeed;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const rounds = SOAK ? 25 : 8;
      let kills = 0;
      let finished = false;
      for (let round = 0; round < rounds + 10 && !finished; round++) {
        const r = await mergeOnce(p, round < rounds ? 100 + Math.floor(rand() * 1400) : null);
        if (r.signal === 'SIGKILL') kills++;
        else finished = true;
        expect(
          r.signal === 'SIGKILL' || r.code === 0,
          `round ${round}: exit ${String(r.code)}\n${r.out}`,
        ).toBe(true);
      }
      expect(finished).toBe(true);
      expect(kills).toBeGreaterThan(0);
      expect(await states(p)).toEqual(ids.map(() => 'merged'));
      verifyTarget(p, start, ids, checks());
      expect(p.repo.git(['status', '--porcelain'])).toBe('');
      // No check a killed merge started is still running.
      await new Promise((r) => setTimeout(r, 100));
      expect(processesNaming(checkFile)).toEqual([]);
      const doctor = await p.ym(['doctor']);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      recordReliability({
        suite: 'merge faults',
        tried: `kill -9 of a standalone \`ym merge\` ${kills} times at random moments of a five-track queue (rebase, checks, between the ref update and its record), re-running it after each kill (seed ${startSeed})`,
        outcome:
          'the next `ym merge` recovers the interrupted merge (recorded as merged when the target already holds its validated head, else back to ready) and ends its checks; the last run exits 0, all five merged',
        nothingLost:
          "each track's commit on main exactly once; every first-parent commit added passed the check on its exact tree; no check left running; `ym doctor` clean",
      });
    },
    SOAK ? 900_000 : 240_000,
  );

  /** Ready tracks with merge.push to a bare remote, and a check that runs `script` in a clone of it once. */
  async function withRemote(ids: string[], script: string) {
    const { p, start, checks } = await readyTracks(ids, 0, { merge: { push: true } });
    const remote = path.join(p.repo.root, 'remote.git');
    const other = path.join(p.repo.root, 'other');
    p.repo.git(['init', '-q', '--bare', remote]);
    p.repo.git(['remote', 'add', 'origin', remote]);
    const hook = path.join(p.repo.root, 'someone-else.sh');
    // Runs once, from the first merge-time check: someone else acts on the remote's main then.
    writeFileSync(
      hook,
      `#!/bin/sh\n[ -e "${other}.done" ] && exit 0\ntouch "${other}.done"\ngit clone -q -b main "${remote}" "${other}" && cd "${other}" && ${script}\n`,
      { mode: 0o755 },
    );
    const cfgFile = path.join(p.repo.dir, 'yardmaster.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as {
      checks: { name: string; run: string[] }[];
    };
    cfg.checks.push({ name: 'someone-else', run: ['/bin/sh', hook] });
    writeFileSync(cfgFile, JSON.stringify(cfg));
    p.repo.commit('a check during which someone else pushes main');
    p.repo.git(['push', '-q', 'origin', 'main']);
    const remoteMain = () => p.repo.git(['--git-dir', remote, 'rev-parse', 'main']).trim();
    return { p, start, checks, remoteMain, before: p.repo.git(['rev-parse', 'main']).trim() };
  }
  const COMMIT = 'git -c user.name=o -c user.email=o@example.com commit -q --allow-empty';

  it('the target pushed by someone else mid-queue (merge.push): the push is refused, the queue rebuilds on theirs', async () => {
    const ids = ['a', 'b', 'c'];
    const { p, start, checks, remoteMain, before } = await withRemote(
      ids,
      `${COMMIT} -m "someone else's commit" && git push -q origin HEAD:main`,
    );
    const r = await p.ym(['merge'], {}, 120_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain(
      'target moved (the remote origin refused a fast-forward of main); rebuilding',
    );
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(remoteMain());
    expect(p.repo.git(['log', '--format=%s', 'main']).split('\n')).toContain(
      "someone else's commit",
    );
    expect(p.repo.git(['merge-base', '--is-ancestor', before, 'main'])).toBe('');
    verifyTarget(p, start, ids, checks(), [
      'a check during which someone else pushes main',
      "someone else's commit",
    ]);
    recordReliability({
      suite: 'merge faults',
      tried:
        'someone else pushes to the target on the remote while the queue checks a track (merge.push with a bare remote)',
      outcome:
        'the fast-forward push is refused ("target moved"), the queue fetches the new target, rebuilds and re-checks; exit 0, all three merged',
      nothingLost:
        "the other person's commit kept under ours; local and remote main agree; every first-parent commit of ours passed the check on its exact tree",
    });
  }, 180_000);

  it('the target force-pushed (rewritten) by someone else mid-queue (merge.push): never overwritten, a clear stop, then resumable', async () => {
    const ids = ['a', 'b', 'c'];
    const { p, checks, remoteMain, before } = await withRemote(
      ids,
      `${COMMIT} --amend -m "rewritten by someone else" && git push -q --force origin HEAD:main`,
    );
    const r = await p.ym(['merge'], {}, 120_000);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('main on origin');
    expect(r.stderr).toContain('have diverged: main was force-pushed or reset on origin');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Nothing overwritten: the remote keeps their rewrite, the local main is untouched.
    const rewritten = remoteMain();
    expect(
      p.repo
        .git([
          '--git-dir',
          path.join(p.repo.root, 'remote.git'),
          'log',
          '-1',
          '--format=%s',
          'main',
        ])
        .trim(),
    ).toBe('rewritten by someone else');
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(before);
    expect(await states(p)).toEqual(ids.map(() => 'ready'));
    // The user takes their history; the queue then lands everything on it.
    p.repo.git(['fetch', '-q', 'origin']);
    p.repo.git(['reset', '-q', '--hard', rewritten]);
    const again = await p.ym(['merge'], {}, 120_000);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await states(p)).toEqual(ids.map(() => 'merged'));
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(remoteMain());
    expect(p.repo.git(['merge-base', '--is-ancestor', rewritten, 'main'])).toBe('');
    verifyTarget(p, rewritten, ids, checks());
    recordReliability({
      suite: 'merge faults',
      tried:
        'the target force-pushed (its last commit rewritten) on the remote by someone else while the queue checks a track (merge.push with a bare remote)',
      outcome: `exit 1: "${errorMessage(r.stderr)
        .replace(/[0-9a-f]{12}/g, '<sha>')
        .slice(
          0,
          120,
        )}…"; nothing pushed, the tracks stay ready; after the user resets main to the remote's, \`ym merge\` lands all three, exit 0`,
      nothingLost:
        "the remote's rewritten main never overwritten; each track's commit on main once; every first-parent commit of ours passed the check on its exact tree",
    });
  }, 180_000);
});
