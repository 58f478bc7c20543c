// The fake forge misbehaving under `ym merge --provider github|gitlab` (built CLI): seeded random
// 500/502/503, a request never answered, a connection dropped before or after the operation took
// effect, and a forge that keeps failing. Each time the queue either lands the validated SHA or
// stops with one clear exit-1 message, the target never gets anything else, the track stays
// ready, and the next `ym merge` finishes the job.
import { afterEach, describe, expect, it } from 'vitest';
import { readyTrackOnForge, trackState, type ForgeCliEnv } from '../helpers/forge-cli.js';
import { errorMessage, recordReliability } from '../helpers/reliability.js';
import type { CliResult } from '../helpers/cli.js';

const TOKEN = 'ym-fault-token-31c7';
// Retries wait 100 ms per unit instead of 1 s (YM_FORGE_RETRY_BASE_MS), so a run stays short.
const ENV = { GITHUB_TOKEN: TOKEN, GITLAB_TOKEN: TOKEN, YM_FORGE_RETRY_BASE_MS: '100' };
const SOAK = process.env.YM_SOAK === '1';
const BASE_SEED = Number(process.env.YM_FORGE_SEED ?? 1312);
const SEEDS = SOAK ? [BASE_SEED, 2, 99, 2027, 31337] : [BASE_SEED];

type Provider = 'github' | 'gitlab';
const OPS = {
  github: {
    list: 'pulls/list',
    create: 'pulls/create',
    get: 'pulls/get',
    merge: 'pulls/merge',
    name: 'GitHub',
  },
  gitlab: {
    list: 'gitlab:mrs.all',
    create: 'gitlab:mrs.create',
    get: 'gitlab:mrs.show',
    merge: 'gitlab:mrs.accept',
    name: 'GitLab',
  },
} as const;

let cli: ForgeCliEnv | undefined;
afterEach(async () => {
  await cli?.cleanup();
  cli = undefined;
});

const merge = (env: ForgeCliEnv, provider: Provider): Promise<CliResult> =>
  env.ym(['merge', '--provider', provider, '--yes'], ENV);

/** After a failed run: exit 1, one clear message, no stack, nothing landed, the track still ready. */
async function expectCleanStop(env: ForgeCliEnv, r: CliResult, mainBefore: string): Promise<void> {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^error: /m);
  expect(r.stderr).not.toMatch(/\n\s+at |unexpected failure/);
  expect(env.forge.bare.head('main')).toBe(mainBefore);
  expect(await trackState(env, 'greet')).toMatchObject({ state: 'ready' });
}

/** After the job is done: merged once, the forge's main is the validated tree, local main follows. */
async function expectLandedOnce(env: ForgeCliEnv, provider: Provider): Promise<void> {
  expect(await trackState(env, 'greet')).toMatchObject({ state: 'merged' });
  const main = env.forge.bare.head('main')!;
  expect(env.repo.git(['rev-parse', 'main']).trim()).toBe(main);
  // The forge merged exactly the head it was asked to, once: its tree is main's tree.
  const merged =
    provider === 'github'
      ? env.forge.github.pulls.filter((p) => p.merged)
      : env.forge.gitlab.mrs.filter((m) => m.state === 'merged');
  expect(merged).toHaveLength(1);
  const head =
    provider === 'github' ? env.forge.github.pulls[0]!.headSha : env.forge.gitlab.mrs[0]!.sha;
  expect(env.forge.bare.git(['rev-parse', `${main}^{tree}`])).toBe(
    env.forge.bare.git(['rev-parse', `${head}^{tree}`]),
  );
  const greets = env.forge.bare
    .git(['log', '--format=%s', 'main'])
    .split('\n')
    .filter((s) => s.includes('greet'));
  expect(greets.length).toBeGreaterThan(0);
  expect(env.forge.bare.git(['show', 'main:yardmaster/tracks/greet/plan.md'])).toContain('- [x]');
  expect(env.forge.violations).toEqual([]);
}

describe.each(['github', 'gitlab'] as const)(
  'forge faults through `ym merge --provider %s`',
  (provider) => {
    const ops = OPS[provider];

    it.each(SEEDS)(
      'random 500/502/503 answers (seed %i): retried; lands, or stops cleanly and the next merge lands',
      async (seed) => {
        cli = await readyTrackOnForge(TOKEN);
        const env = cli;
        const before = env.forge.bare.head('main')!;
        env.forge.faults({ seed, rate: 0.35, statuses: [500, 502, 503], max: SOAK ? 12 : 6 });
        const runs: CliResult[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await merge(env, provider);
          runs.push(r);
          if (r.code === 0) break;
          await expectCleanStop(env, r, before);
        }
        expect(runs.at(-1)!.code, runs.at(-1)!.stdout + runs.at(-1)!.stderr).toBe(0);
        expect(env.forge.faultCount).toBeGreaterThan(0);
        await expectLandedOnce(env, provider);
        const stops = runs.filter((r) => r.code === 1);
        recordReliability({
          suite: 'forge faults',
          tried: `${ops.name} answering 500/502/503 at random (seeded ${seed}, 35% of requests, ${env.forge.faultCount} faults) during \`ym merge --provider ${provider}\``,
          outcome: stops.length
            ? `retried; ${stops.length} run(s) stopped with exit 1 ("${errorMessage(stops[0]!.stderr)}"), the track left ready; the next \`ym merge\` landed it, exit 0`
            : 'every fault retried by the client; landed, exit 0',
          nothingLost:
            "merged exactly once; the forge's main is the validated head's tree; local main follows; nothing landed by a failed run",
        });
      },
      120_000,
    );

    it('a request never answered: aborted after requestTimeoutSec, retried, lands', async () => {
      cli = await readyTrackOnForge(TOKEN, { requestTimeoutSec: 1 });
      const env = cli;
      env.forge.hang(ops.get);
      const r = await merge(env, provider);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const gets = env.forge.calls(ops.get);
      expect(gets[0]!.status).toBe(0); // the hung one
      expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(900);
      await expectLandedOnce(env, provider);
      recordReliability({
        suite: 'forge faults',
        tried: `${ops.name} never answering one request (\`${ops.get}\`) during \`ym merge --provider ${provider}\`, with ${provider}.requestTimeoutSec 1`,
        outcome: 'the request is aborted after 1 s and retried; landed, exit 0',
        nothingLost:
          "merged exactly once; the forge's main is the validated head's tree; local main follows",
      });
    }, 120_000);

    it('dropped connections, before a read and after the merge itself: retried, the lost merge recognised', async () => {
      cli = await readyTrackOnForge(TOKEN);
      const env = cli;
      env.forge.drop(ops.list);
      env.forge.drop(ops.merge, 1, { after: true });
      const r = await merge(env, provider);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(env.forge.calls(ops.list)[0]!.status).toBe(0);
      expect(env.forge.calls(ops.merge)[0]!.status).toBe(0);
      await expectLandedOnce(env, provider);
      recordReliability({
        suite: 'forge faults',
        tried: `${ops.name} dropping the connection (socket destroyed) of \`${ops.list}\` before answering, and of \`${ops.merge}\` after merging (the answer lost), during \`ym merge --provider ${provider}\``,
        outcome: `the read is retried; the lost merge is recognised by reading the ${provider === 'github' ? 'pull' : 'merge'} request back (merged at the validated head); exit 0, recorded as merged`,
        nothingLost:
          "merged exactly once, not failed or re-merged; the forge's main is the validated head's tree; local main follows",
      });
    }, 120_000);

    it('a forge that keeps failing: a clear exit 1, the track ready; the next merge lands', async () => {
      cli = await readyTrackOnForge(TOKEN, { requestTimeoutSec: 1 });
      const env = cli;
      const before = env.forge.bare.head('main')!;
      env.forge.inject(
        ops.get,
        {
          status: 503,
          body:
            provider === 'github'
              ? { message: 'Service Unavailable' }
              : { message: '503 Service Unavailable' },
        },
        20,
      );
      const failed = await merge(env, provider);
      await expectCleanStop(env, failed, before);
      expect(failed.stderr).toContain(`${ops.name} kept answering 503`);
      env.forge.hang(ops.list, 20);
      const hung = await merge(env, provider);
      await expectCleanStop(env, hung, before);
      expect(hung.stderr).toMatch(
        new RegExp(`${ops.name} at \\S+ did not answer, even after retries`),
      );
      env.forge.clearFaults();
      const again = await merge(env, provider);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      await expectLandedOnce(env, provider);
      recordReliability({
        suite: 'forge faults',
        tried: `${ops.name} answering 503 to every \`${ops.get}\`, then never answering \`${ops.list}\` (requestTimeoutSec 1), during \`ym merge --provider ${provider}\``,
        outcome: `after the bounded retries, exit 1: "${errorMessage(failed.stderr)}", then "${errorMessage(hung.stderr)}"; the track left ready; the next \`ym merge\` landed it, exit 0`,
        nothingLost:
          "nothing landed by the failed runs; merged exactly once afterwards; the forge's main is the validated head's tree",
      });
    }, 180_000);
  },
);
