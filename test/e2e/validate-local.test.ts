// `ym validate` in a developer's repository: which track and checkout it picks, the events it
// records in state.db, and trust for the repository's own check commands.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTrackRepo, type TrackRepo, type TrackRepoOptions } from '../helpers/track-repo.js';
import { openStateStore } from '../../src/state/open.js';

let repos: TrackRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});
function trackRepo(opts?: TrackRepoOptions): TrackRepo {
  const r = makeTrackRepo(opts);
  repos.push(r);
  return r;
}
const ym = (r: TrackRepo, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(['--cwd', r.dir, ...args], { env: { ...r.env, CI: 'true', ...env } });
const stateDb = (r: TrackRepo) => path.join(r.dir, '.git', 'yardmaster', 'state.db');

describe('which track, where', () => {
  it('defaults to the track whose branch is checked out; elsewhere it needs an id', async () => {
    const r = trackRepo();
    const onBranch = JSON.parse((await ym(r, ['validate', '--json'])).stdout) as { track: string };
    expect(onBranch.track).toBe('slugify');

    r.git(['switch', '-q', 'main']);
    const none = await ym(r, ['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('the current branch (main) is not a track branch (ym/<id>)');
    expect(none.stderr).toContain('ym validate <id>');

    const unknown = await ym(r, ['validate', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown track "nope"');
    expect((await ym(r, ['validate', '../x'])).code).toBe(2);
  });

  it('runs in the track’s worktree when state.db knows one, and records a checks.finished event', async () => {
    const r = trackRepo({ config: { checks: [{ name: 'where', run: 'pwd' }] } });
    r.git(['switch', '-q', 'main']);
    const wt = path.join(r.root, 'wt-slugify');
    r.git(['worktree', 'add', '-q', wt, r.branch]);
    expect((await ym(r, ['status', '--json'])).code).toBe(0); // creates state.db, syncs the track
    const store = openStateStore(path.dirname(stateDb(r)));
    try {
      store.transition('slugify', 'queued');
      store.transition('slugify', 'provisioning', { patch: { worktree: wt, branch: r.branch } });
    } finally {
      store.close();
    }
    const res = await ym(r, ['validate', 'slugify', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      checkout: string;
      branch: string;
      results: { name: string; outputTail: string }[];
    };
    expect(report.checkout).toBe(wt);
    expect(report.branch).toBe('ym/slugify');
    expect(report.results.find((x) => x.name === 'where')?.outputTail).toBe(wt);

    const db = new Database(stateDb(r), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT track_id, data FROM events WHERE type = 'checks.finished'")
        .all() as { track_id: string; data: string }[];
      expect(rows).toHaveLength(1);
      const data = JSON.parse(rows[0]!.data) as {
        ok: boolean;
        headSha: string;
        results: { name: string; status: string }[];
      };
      expect(rows[0]!.track_id).toBe('slugify');
      expect(data.ok).toBe(true);
      expect(data.headSha).toBe(r.git(['rev-parse', r.branch]).trim());
      expect(data.results.map((x) => x.name)).toContain('where');
    } finally {
      db.close();
    }
  });

  it('without state.db it stays in the checkout, warns when that is not the track branch, and creates no database', async () => {
    const r = trackRepo();
    r.git(['switch', '-q', 'main']);
    const res = await ym(r, ['validate', 'slugify', '--json']);
    expect(res.stderr).toContain('not on ym/slugify');
    expect(JSON.parse(res.stdout)).toMatchObject({ checkout: r.dir, branch: 'main' });
    expect(existsSync(stateDb(r))).toBe(false);
  });

  it('--builtin-only skips the configured checks; --rev judges another commit', async () => {
    const r = trackRepo({
      config: {
        checks: [{ name: 'never', run: 'exit 1' }],
        builtinChecks: { planComplete: 'fail' },
      },
    });
    const fast = JSON.parse((await ym(r, ['validate', '--builtin-only', '--json'])).stdout) as {
      ok: boolean;
      builtinOnly: boolean;
      results: { kind: string }[];
    };
    expect(fast.ok).toBe(true);
    expect(fast.builtinOnly).toBe(true);
    expect(fast.results.every((x) => x.kind === 'builtin')).toBe(true);

    const branchSha = r.git(['rev-parse', 'HEAD']).trim();
    r.git(['switch', '-q', 'main']);
    const rev = await ym(r, [
      'validate',
      'slugify',
      '--builtin-only',
      '--rev',
      branchSha,
      '--json',
    ]);
    expect(rev.code, rev.stderr).toBe(0);
    expect(JSON.parse(rev.stdout)).toMatchObject({ headSha: branchSha, ok: true });
    const onMain = await ym(r, [
      'validate',
      'slugify',
      '--builtin-only',
      '--rev',
      'main',
      '--json',
    ]);
    expect(onMain.code).toBe(1); // main's plan is not done

    const misuse = await ym(r, ['validate', 'slugify', '--rev', branchSha]);
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toContain('--rev needs --builtin-only');
  });
});

describe('trust', () => {
  const noCi = { CI: undefined };

  it('asks for trust before running configured checks, runs after `ym trust`, asks again after a change', async () => {
    const r = trackRepo({ config: { checks: [{ name: 'marker', run: 'touch ran.txt' }] } });
    const first = await ym(r, ['validate'], noCi);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('would run: check "marker": touch ran.txt');
    expect(first.stderr).toContain('ym trust');
    expect(r.exists('ran.txt')).toBe(false);

    expect((await ym(r, ['validate', '--builtin-only'], noCi)).code).toBe(0); // nothing of the repo's runs

    expect((await ym(r, ['trust'], noCi)).code).toBe(0);
    const trusted = await ym(r, ['validate'], noCi);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(r.exists('ran.txt')).toBe(true);

    r.write(
      'yardmaster.json',
      JSON.stringify({
        target: 'main',
        checks: [
          { name: 'marker', run: 'touch ran.txt' },
          { name: 'more', run: 'touch more.txt' },
        ],
      }),
    );
    const changed = await ym(r, ['validate'], noCi);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('changed since you last trusted it');
    expect(changed.stderr).toContain('would run: check "more": touch more.txt');
    expect(r.exists('more.txt')).toBe(false);

    const yes = await ym(r, ['validate', '--yes'], noCi);
    expect(yes.code, yes.stderr).toBe(0);
    expect(r.exists('more.txt')).toBe(true);
  });
});
