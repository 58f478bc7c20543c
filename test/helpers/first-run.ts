// The first real run of a new user (issue 13), as a fixture: a small node:test project, `ym setup
// --yes` committed once, a custom shell agent (test/fixtures/first-run/bot.sh) that writes code
// and commits but never ticks plan.md, the project's real test suite as the check, and
// `ym plan --from tracks.yaml --yes` with NO commit afterwards: the track docs stay untracked in
// the user's checkout, as a user leaves them. Optionally wired to the fake forge.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { FakeForge } from './fake-forge/index.js';
import { FIXTURES } from './tracks.js';
import { makeRepo, type TestRepo } from './repo.js';

export const FIRST_RUN_TRACKS = ['slugify', 'titlecase', 'use-slugify'];
export const FORGE_TOKEN = 'ym-first-run-token-7d2e';

export interface FirstRun {
  repo: TestRepo;
  forge: FakeForge | null;
  botLog: string;
  ym(
    args: string[],
    opts?: { env?: Record<string, string | undefined>; timeoutMs?: number },
  ): Promise<CliResult>;
  /** What the agent recorded: one line per start and end. */
  bot(): { event: string; track: string; attempt: number; feedback?: boolean; pid: number }[];
  /** The environment a spawned `ym` needs (tokens included). */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function firstRunProject(
  opts: {
    provider?: 'local' | 'github' | 'gitlab';
    attempts?: number;
    botSleepSec?: number;
    botEnv?: Record<string, string>;
    config?: Record<string, unknown>;
  } = {},
): Promise<FirstRun> {
  const provider = opts.provider ?? 'local';
  const repo = makeRepo({
    files: {
      'package.json': `${JSON.stringify({ name: 'posts', version: '1.0.0', type: 'module', scripts: { test: 'node --test' } }, null, 2)}\n`,
      'src/strings.js': 'export const trim = (s) => s.trim();\n',
      'test/strings.test.js':
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { trim } from '../src/strings.js';\ntest('trim', () => assert.equal(trim(' a '), 'a'));\n",
    },
  });
  const forge =
    provider === 'local'
      ? null
      : await FakeForge.start({ token: FORGE_TOKEN, root: repo.root, env: repo.env });
  const env = { ...repo.env, GITHUB_TOKEN: FORGE_TOKEN, GITLAB_TOKEN: FORGE_TOKEN };
  const ym = (
    args: string[],
    o: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
  ) =>
    runCli(['--cwd', repo.dir, ...args], {
      env: { ...env, ...o.env },
      timeoutMs: o.timeoutMs ?? 120_000,
    });
  const setup = await ym(['setup', '--yes']);
  expect(setup.code, setup.stderr).toBe(0);
  const botLog = path.join(repo.root, 'bot.jsonl');
  const config = JSON.parse(repo.read('yardmaster.json')) as Record<string, unknown>;
  const wait = { pollIntervalSec: 0.05, checkStartTimeoutSec: 5, checksTimeoutSec: 30 };
  Object.assign(config, {
    agent: 'mybot',
    agents: {
      mybot: {
        command: ['sh', path.join(FIXTURES, 'first-run', 'bot.sh')],
        timeoutSec: 60,
        env: { BOT_LOG: botLog, BOT_SLEEP: String(opts.botSleepSec ?? 0), ...opts.botEnv },
      },
    },
    checks: [{ name: 'test', run: ['node', '--test'] }],
    retry: { backoffMs: 50, maxBackoffMs: 200 },
    ...(opts.attempts ? { attempts: opts.attempts } : {}),
    ...opts.config,
    merge: { ...(config.merge as object), provider },
    ...(forge
      ? {
          github: {
            owner: forge.github.owner,
            repo: forge.github.repo,
            baseUrl: forge.githubUrl,
            ...wait,
          },
          gitlab: { host: forge.gitlabHost, project: forge.gitlab.project, ...wait },
        }
      : {}),
  });
  repo.write('yardmaster.json', `${JSON.stringify(config, null, 2)}\n`);
  // The user commits the set-up once (their config and context documents)...
  repo.git(['add', 'yardmaster.json', 'yardmaster']);
  repo.git(['commit', '-q', '-m', 'Set up yardmaster']);
  if (forge) {
    repo.git(['remote', 'add', 'origin', forge.bare.url]);
    repo.git(['push', '-q', 'origin', 'main']);
  }
  // ...and plans with no commit afterwards: the track docs stay untracked in the checkout.
  const plan = await ym([
    'plan',
    'Add string helpers for post URLs',
    '--from',
    path.join(FIXTURES, 'first-run', 'tracks.yaml'),
    '--yes',
  ]);
  expect(plan.code, plan.stderr).toBe(0);
  expect(repo.git(['status', '--porcelain', '--untracked-files=all'])).toContain(
    '?? yardmaster/tracks/slugify/plan.md',
  );
  return {
    repo,
    forge,
    botLog,
    ym,
    env,
    bot: () =>
      existsSync(botLog)
        ? readFileSync(botLog, 'utf8')
            .split('\n')
            .filter((l) => l.startsWith('{') && l.endsWith('}'))
            .map((l) => JSON.parse(l) as never)
        : [],
    cleanup: async () => {
      await forge?.close();
      repo.cleanup();
    },
  };
}

export interface TrackStates {
  [id: string]: { state: string; attempt: number; reason: string | null };
}

export async function trackStates(run: FirstRun): Promise<TrackStates> {
  const status = await run.ym(['status', '--json']);
  const json = JSON.parse(status.stdout) as {
    tracks: { id: string; state: string; attempt: number; reason: string | null }[];
  };
  return Object.fromEntries(
    json.tracks.map((t) => [t.id, { state: t.state, attempt: t.attempt, reason: t.reason }]),
  );
}

/** Every track merged, the checkout clean and at the target, and the target's suite green. */
export async function expectFirstRunLanded(run: FirstRun): Promise<void> {
  const states = await trackStates(run);
  for (const id of FIRST_RUN_TRACKS)
    expect(states[id]?.state, `${id}: ${JSON.stringify(states[id])}`).toBe('merged');
  const { repo } = run;
  expect(
    repo.git(['status', '--porcelain', '--untracked-files=all']),
    'the checkout is clean',
  ).toBe('');
  expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
  expect(repo.git(['rev-parse', 'HEAD']).trim()).toBe(
    repo.git(['rev-parse', 'refs/heads/main']).trim(),
  );
  // The plan docs travelled with the branches and are tracked now.
  expect(repo.git(['ls-files', 'yardmaster/tracks']).split('\n')).toEqual(
    expect.arrayContaining([
      'yardmaster/tracks/slugify/plan.md',
      'yardmaster/tracks/use-slugify/track.json',
    ]),
  );
  expect(repo.read('src/slugify.js')).toContain('toLowerCase');
  expect(repo.read('src/url.js')).toContain('slugify');
  // The target's own suite passes on the files the checkout now has.
  const { execFileSync } = await import('node:child_process');
  execFileSync('node', ['--test'], { cwd: repo.dir, env: repo.env, stdio: 'pipe' });
}
