// `ym hooks install|uninstall` with real git: the installed hooks run on `git push` to a local
// bare remote and on `git commit`; an existing hook is chained and restored; core.hooksPath.
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import {
  fileMode,
  makeTrackRepo,
  planText,
  type TrackRepo,
  type TrackRepoOptions,
} from '../helpers/track-repo.js';

let repos: TrackRepo[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});
function trackRepo(opts?: TrackRepoOptions): TrackRepo & { remote: string } {
  const r = makeTrackRepo(opts);
  repos.push(r);
  const remote = path.join(r.root, 'remote.git');
  r.git(['init', '-q', '--bare', remote]);
  r.git(['remote', 'add', 'origin', remote]);
  return { ...r, remote };
}
const ym = (r: TrackRepo, args: string[]) => runCli(['--cwd', r.dir, ...args], { env: r.env });
const remoteHas = (r: TrackRepo & { remote: string }, branch: string) =>
  r.gitResult(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], r.remote).code === 0;
const message = (r: TrackRepo) => r.git(['log', '-1', '--format=%B']).replace(/\n+$/, '');

describe('pre-push', () => {
  it('blocks pushing a track branch whose built-in checks fail; --no-verify bypasses; other branches pass', async () => {
    const r = trackRepo({ planDone: false, config: { builtinChecks: { planComplete: 'fail' } } });
    const install = await ym(r, ['hooks', 'install']);
    expect(install.code, install.stderr).toBe(0);
    expect(install.stdout).toMatch(/pre-push\s+installed/);

    const blocked = r.gitResult(['push', '-q', 'origin', r.branch]);
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('plan-complete');
    expect(blocked.stderr).toContain('push refused');
    expect(remoteHas(r, r.branch)).toBe(false);

    expect(r.gitResult(['push', '-q', 'origin', 'main']).code).toBe(0); // not a track branch

    const bypass = r.gitResult(['push', '-q', '--no-verify', 'origin', r.branch]);
    expect(bypass.code, bypass.stderr).toBe(0);
    expect(remoteHas(r, r.branch)).toBe(true);

    r.write('yardmaster/tracks/slugify/plan.md', planText(true));
    r.commit('tick the plan\n\nYardmaster-Track: slugify');
    const ok = r.gitResult(['push', '-q', 'origin', r.branch]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(r.git(['rev-parse', `refs/heads/${r.branch}`], r.remote).trim()).toBe(
      r.git(['rev-parse', 'HEAD']).trim(),
    );
  });

  it('checks the pushed commit, not the checkout: pushing a track branch from main works', async () => {
    const r = trackRepo();
    expect((await ym(r, ['hooks', 'install'])).code).toBe(0);
    r.git(['switch', '-q', 'main']); // main's plan.md is not done; the branch's is
    const res = r.gitResult(['push', '-q', 'origin', r.branch]);
    expect(res.code, res.stderr).toBe(0);
  });
});

describe('commit-msg', () => {
  it('adds the trailer on a track branch, keeps an existing one, leaves other branches alone', async () => {
    const r = trackRepo();
    expect((await ym(r, ['hooks', 'install'])).code).toBe(0);
    r.write('a.txt', '1\n');
    r.git(['add', '-A']);
    r.git(['commit', '-q', '-m', 'Add a']);
    expect(message(r)).toBe('Add a\n\nYardmaster-Track: slugify');

    r.write('a.txt', '2\n');
    r.git(['add', '-A']);
    r.git(['commit', '-q', '-m', 'Change a\n\nYardmaster-Track: slugify']);
    expect(message(r)).toBe('Change a\n\nYardmaster-Track: slugify');

    r.git(['switch', '-q', 'main']);
    r.write('b.txt', '1\n');
    r.git(['add', '-A']);
    r.git(['commit', '-q', '-m', 'On main']);
    expect(message(r)).toBe('On main');
  });
});

describe('install and uninstall', () => {
  it('chains an existing hook (same args and stdin; its failure stops the push) and uninstall restores it exactly', async () => {
    const r = trackRepo();
    const hooks = path.join(r.dir, '.git', 'hooks');
    const record = path.join(r.root, 'user-hook.txt');
    const original = `#!/bin/sh\n# the user's own hook\necho "args: $*" >> '${record}'\ncat >> '${record}'\nexit "\${USER_HOOK_EXIT:-0}"\n`;
    writeFileSync(path.join(hooks, 'pre-push'), original);
    chmodSync(path.join(hooks, 'pre-push'), 0o750);

    const install = await ym(r, ['hooks', 'install', '--json']);
    expect(install.code, install.stderr).toBe(0);
    const changes = (JSON.parse(install.stdout) as { hooks: { name: string; action: string }[] })
      .hooks;
    expect(changes.find((c) => c.name === 'pre-push')?.action).toBe('chained');
    expect(readFileSync(path.join(hooks, 'pre-push.pre-yardmaster'), 'utf8')).toBe(original);

    const push = r.gitResult(['push', '-q', 'origin', r.branch]);
    expect(push.code, push.stderr).toBe(0);
    const recorded = readFileSync(record, 'utf8');
    expect(recorded).toContain(`args: origin ${r.remote}`);
    expect(recorded).toMatch(
      new RegExp(`refs/heads/ym/slugify [0-9a-f]{40} refs/heads/ym/slugify 0{40}`),
    );

    writeFileSync(
      path.join(hooks, 'pre-push.pre-yardmaster'),
      original.replace('${USER_HOOK_EXIT:-0}', '1'),
    );
    r.commit('again\n\nYardmaster-Track: slugify');
    const refused = r.gitResult(['push', '-q', 'origin', r.branch]);
    expect(refused.code).not.toBe(0); // the user's hook failed: the push stops, whatever ours says
    expect(r.git(['rev-parse', `refs/heads/${r.branch}`], r.remote).trim()).not.toBe(
      r.git(['rev-parse', 'HEAD']).trim(),
    );
    writeFileSync(path.join(hooks, 'pre-push.pre-yardmaster'), original);

    const again = await ym(r, ['hooks', 'install', '--json']);
    expect(
      (JSON.parse(again.stdout) as { hooks: { action: string }[] }).hooks.map((c) => c.action),
    ).toEqual(['updated', 'updated']);

    const uninstall = await ym(r, ['hooks', 'uninstall']);
    expect(uninstall.code, uninstall.stderr).toBe(0);
    expect(readFileSync(path.join(hooks, 'pre-push'), 'utf8')).toBe(original);
    expect(fileMode(path.join(hooks, 'pre-push'))).toBe(0o750);
    expect(existsSync(path.join(hooks, 'pre-push.pre-yardmaster'))).toBe(false);
    expect(existsSync(path.join(hooks, 'commit-msg'))).toBe(false);
    expect((await ym(r, ['hooks', 'uninstall', '--json'])).stdout).toContain('"absent"');
  });

  it('refuses, changing nothing, when a foreign hook and a .pre-yardmaster copy both exist', async () => {
    const r = trackRepo();
    const hooks = path.join(r.dir, '.git', 'hooks');
    writeFileSync(path.join(hooks, 'commit-msg'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(path.join(hooks, 'commit-msg.pre-yardmaster'), '#!/bin/sh\nexit 0\n', {
      mode: 0o755,
    });
    const res = await ym(r, ['hooks', 'install']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('commit-msg.pre-yardmaster');
    expect(existsSync(path.join(hooks, 'pre-push'))).toBe(false);
  });

  it('respects a relative core.hooksPath (from the repository root) and an absolute one', async () => {
    const r = trackRepo();
    r.git(['config', 'core.hooksPath', '.githooks']);
    const sub = path.join(r.dir, 'src');
    const res = await runCli(['--cwd', sub, 'hooks', 'install'], { env: r.env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('core.hooksPath = .githooks');
    expect(existsSync(path.join(r.dir, '.githooks', 'pre-push'))).toBe(true);
    expect(existsSync(path.join(r.dir, '.git', 'hooks', 'pre-push'))).toBe(false);
    r.write('c.txt', '1\n');
    r.git(['add', 'c.txt']);
    r.git(['commit', '-q', '-m', 'Through hooksPath'], sub);
    expect(message(r)).toBe('Through hooksPath\n\nYardmaster-Track: slugify');

    const abs = path.join(r.root, 'shared-hooks');
    mkdirSync(abs);
    r.git(['config', 'core.hooksPath', abs]);
    expect((await ym(r, ['hooks', 'install'])).code).toBe(0);
    expect(existsSync(path.join(abs, 'commit-msg'))).toBe(true);
  });
});

describe('setup --hooks', () => {
  it('installs the hooks along with the rest of setup', async () => {
    const r = trackRepo();
    r.git(['rm', '-q', 'yardmaster.json']);
    r.commit('no config yet');
    const res = await ym(r, ['setup', '--yes', '--hooks']);
    expect(res.code, res.stderr).toBe(0);
    expect(r.exists('yardmaster.json')).toBe(true);
    expect(readFileSync(path.join(r.dir, '.git', 'hooks', 'pre-push'), 'utf8')).toContain(
      '# yardmaster-hook: pre-push',
    );
  });
});
