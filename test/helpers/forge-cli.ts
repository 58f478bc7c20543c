// End-to-end setup for `ym merge --provider github|gitlab`: a repository whose origin is the
// fake forge, set up with the built CLI, with one track made ready the way a user would
// (`ym implement --no-merge` with the built-in scripted agent), and a way to find every
// file yardmaster wrote (state.db, logs) to look for leaked secrets.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { FakeForge } from './fake-forge/index.js';
import { makeRepo, type TestRepo } from './repo.js';

export interface ForgeCliEnv {
  repo: TestRepo;
  forge: FakeForge;
  ym(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** `forgeConfig` is merged into both the github and the gitlab sections (e.g. requestTimeoutSec). */
export async function readyTrackOnForge(
  token: string,
  forgeConfig: Record<string, unknown> = {},
): Promise<ForgeCliEnv> {
  const env = await trackOnForge(token, forgeConfig);
  const implement = await env.ym(['implement', '--no-merge', '--yes']);
  expect(implement.code, implement.stdout + implement.stderr).toBe(0);
  const status = JSON.parse((await env.ym(['status', '--json'])).stdout) as {
    tracks: { id: string; state: string }[];
  };
  expect(status.tracks.find((t) => t.id === 'greet')?.state).toBe('ready');
  return env;
}

export interface TrackOnForgeOptions {
  /** false: the docs `new-track` wrote stay untracked in the checkout (everything else is committed). */
  commitDocs?: boolean;
  /** Merged over the generated yardmaster.json (e.g. `merge: { provider: 'github' }`). */
  config?: Record<string, unknown>;
}

/** The repository of readyTrackOnForge with its track "greet" planned, before `implement`. */
export async function trackOnForge(
  token: string,
  forgeConfig: Record<string, unknown> = {},
  opts: TrackOnForgeOptions = {},
): Promise<ForgeCliEnv> {
  const repo = makeRepo();
  const forge = await FakeForge.start({ token, root: repo.root, env: repo.env });
  const ym = (args: string[], env: Record<string, string | undefined> = {}) =>
    runCli(['--cwd', repo.dir, ...args], { env: { ...repo.env, ...env }, timeoutMs: 90_000 });
  const setup = await ym(['setup', '--yes']);
  expect(setup.code, setup.stderr).toBe(0);
  const config = JSON.parse(repo.read('yardmaster.json')) as Record<string, unknown>;
  const wait = {
    pollIntervalSec: 0.05,
    checkStartTimeoutSec: 5,
    checksTimeoutSec: 30,
    ...forgeConfig,
  };
  Object.assign(config, {
    agent: 'scripted',
    github: {
      owner: forge.github.owner,
      repo: forge.github.repo,
      baseUrl: forge.githubUrl,
      ...wait,
    },
    gitlab: { host: forge.gitlabHost, project: forge.gitlab.project, ...wait },
    ...opts.config,
  });
  repo.write('yardmaster.json', `${JSON.stringify(config, null, 2)}\n`);
  const track = await ym(['new-track', 'Add a greeting', '--id', 'greet', '--yes']);
  expect(track.code, track.stderr).toBe(0);
  repo.write('greeting.txt', 'hello\n');
  if (opts.commitDocs === false) {
    repo.git(['add', '--all', '--', '.', ':(exclude)yardmaster/tracks']);
    repo.git(['commit', '-q', '-m', 'set up yardmaster']);
  } else repo.commit('set up yardmaster');
  repo.git(['remote', 'add', 'origin', forge.bare.url]);
  repo.git(['push', '-q', 'origin', 'main']);
  return {
    repo,
    forge,
    ym,
    cleanup: async () => {
      await forge.close();
      repo.cleanup();
      forge.assertNoFaults();
    },
  };
}

export async function trackState(
  env: ForgeCliEnv,
  id: string,
): Promise<{ state: string; reason?: string | null }> {
  const status = JSON.parse((await env.ym(['status', '--json'])).stdout) as {
    tracks: { id: string; state: string; reason?: string | null }[];
  };
  return status.tracks.find((t) => t.id === id)!;
}

/** Every file under the repository's yardmaster state dir (state.db with its WAL, logs, prompts). */
export function stateFiles(repo: TestRepo): string[] {
  const root = path.join(repo.dir, '.git', 'yardmaster');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

/** Asserts that `secret` appears in none of the outputs and none of yardmaster's files. */
export function expectNoSecret(secret: string, repo: TestRepo, outputs: CliResult[]): void {
  for (const r of outputs) {
    expect(r.stdout).not.toContain(secret);
    expect(r.stderr).not.toContain(secret);
  }
  const files = stateFiles(repo);
  expect(files.some((f) => f.endsWith('state.db'))).toBe(true);
  for (const f of files)
    expect(readFileSync(f).includes(secret), `${f} holds the token`).toBe(false);
}

// The docs `new-track` wrote, never committed: they travel with the track's branch and the
// pull request, and the user's checkout follows the forge's merge over their untracked copies.
export function describeUncommittedDocsLanding(
  provider: 'github' | 'gitlab',
  MARKER: string,
): void {
  describe(`ym implement with merge.provider ${provider} and uncommitted track docs (built CLI)`, () => {
    let cli: ForgeCliEnv | undefined;
    afterEach(async () => {
      if (!cli) return;
      expect(cli.forge.violations).toEqual([]);
      await cli.cleanup();
      cli = undefined;
    });

    it('merges the track, the checkout is at the target and the docs are tracked', async () => {
      cli = await trackOnForge(MARKER, {}, { commitDocs: false, config: { merge: { provider } } });
      const docs = ['plan.md', 'spec.md', 'track.json'].map((f) => `yardmaster/tracks/greet/${f}`);
      expect(
        cli.repo
          .git(['status', '--porcelain', '--untracked-files=all'])
          .split('\n')
          .filter(Boolean),
      ).toEqual(docs.map((f) => `?? ${f}`));
      const r = await cli.ym(['implement', '--yes'], {
        [provider === 'github' ? 'GITHUB_TOKEN' : 'GITLAB_TOKEN']: MARKER,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/uncommitted changes|could not update the files/);
      expect(await trackState(cli, 'greet')).toMatchObject({ state: 'merged' });
      const main = cli.forge.bare.head('main')!;
      expect(cli.forge.bare.git(['show', `${main}:yardmaster/tracks/greet/plan.md`])).toContain(
        '- [x]',
      );
      expect(cli.repo.git(['rev-parse', 'main']).trim()).toBe(main);
      expect(cli.repo.git(['rev-parse', 'HEAD']).trim()).toBe(main);
      expect(cli.repo.git(['status', '--porcelain', '--untracked-files=all']).trim()).toBe('');
      expect(cli.repo.read('yardmaster/tracks/greet/plan.md')).toBe(
        cli.forge.bare.git(['show', `${main}:yardmaster/tracks/greet/plan.md`]) + '\n',
      );
      expectNoSecret(MARKER, cli.repo, [r]);
    });
  });
}
