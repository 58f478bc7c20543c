// A repository wired to a fake forge, for driving the GitHub and GitLab providers directly: its
// `origin` is the fake's bare repository (file://), the config points the providers at the fake
// with tiny poll intervals, and `track()` makes a validated-looking branch to land.
import { ConfigSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { createGit, type Git } from '../../src/git/git.js';
import { runProcess, type ProcessRunner } from '../../src/proc/run.js';
import type { LandRequest } from '../../src/vcs/types.js';
import { FakeForge } from './fake-forge/index.js';
import { makeRepo, type TestRepo } from './repo.js';

export const TOKEN = 'ym-test-token-5f1c';

export interface ForgeEnv {
  repo: TestRepo;
  forge: FakeForge;
  git: Git;
  config: Config;
  /** Progress lines the provider reported. */
  reports: string[];
  /** Provider dependencies with the right token (override `env` to test token handling). */
  deps(env?: NodeJS.ProcessEnv): {
    git: Git;
    config: Config;
    env: NodeJS.ProcessEnv;
    report: (t: string | null, s: string) => void;
    retryBaseMs: number;
  };
  /** A branch `ym/<id>` with one commit on top of the current main; returns its SHA. */
  track(id: string, files?: Record<string, string>): string;
  /** A land request for `ym/<id>` at `sha`, built on the current local main. */
  request(id: string, sha: string, extra?: Partial<LandRequest>): LandRequest;
  main(): string;
  cleanup(): Promise<void>;
}

export async function makeForgeEnv(overrides: Partial<ConfigInput> = {}): Promise<ForgeEnv> {
  const repo = makeRepo();
  const forge = await FakeForge.start({ token: TOKEN, root: repo.root, env: repo.env });
  repo.git(['remote', 'add', 'origin', forge.bare.url]);
  repo.git(['push', '-q', 'origin', 'main']);
  const wait = { pollIntervalSec: 0.02, checkStartTimeoutSec: 1.5, checksTimeoutSec: 15 };
  const config = ConfigSchema.parse({
    github: {
      owner: forge.github.owner,
      repo: forge.github.repo,
      baseUrl: forge.githubUrl,
      ...wait,
    },
    gitlab: { host: forge.gitlabHost, project: forge.gitlab.project, ...wait },
    ...overrides,
  });
  // git for the provider runs with the test's isolated environment only.
  const run: ProcessRunner = (file, args, options = {}) =>
    runProcess(file, args, { ...options, env: { ...repo.env, ...options.env }, extendEnv: false });
  const git = createGit(run, repo.dir);
  const reports: string[] = [];
  const env: ForgeEnv = {
    repo,
    forge,
    git,
    config,
    reports,
    deps: (tokens = { GITHUB_TOKEN: TOKEN, GITLAB_TOKEN: TOKEN }) => ({
      git,
      config,
      env: tokens,
      report: (_t, s) => reports.push(s),
      retryBaseMs: 100,
    }),
    track(id, files = { [`${id}.txt`]: `${id}\n` }) {
      repo.git(['switch', '-q', '-c', `ym/${id}`, 'main']);
      for (const [f, text] of Object.entries(files)) repo.write(f, text);
      const sha = repo.commit(`feat: ${id}\n\nYardmaster-Track: ${id}`);
      repo.git(['switch', '-q', 'main']);
      return sha;
    },
    request: (id, sha, extra = {}) => ({
      trackId: id,
      title: `Track ${id}`,
      branch: `ym/${id}`,
      sha,
      expectedTarget: env.main(),
      strategy: 'rebase',
      report: {
        ok: true,
        results: [],
        headSha: sha,
        mergeBase: env.main(),
        interrupted: false,
        durationMs: 0,
      },
      description: `Spec of ${id}.`,
      signal: new AbortController().signal,
      ...extra,
    }),
    main: () => repo.git(['rev-parse', 'refs/heads/main']).trim(),
    async cleanup() {
      await forge.close();
      repo.cleanup();
      forge.assertNoFaults();
    },
  };
  return env;
}
