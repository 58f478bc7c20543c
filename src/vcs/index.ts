// Picks the VcsProvider for a run. Forge clients are imported only when used, so octokit and
// gitbeaker never load for the local provider, `--version` or `--json` reads.
import { UsageError } from '../core/errors.js';
import type { RunEnv } from '../runtime/env.js';
import { LocalProvider } from './local.js';
import type { VcsProvider } from './types.js';

export type ProviderName = 'local' | 'github' | 'gitlab';

export async function createProvider(
  env: RunEnv,
  name: ProviderName = env.config.merge.provider,
): Promise<VcsProvider> {
  const retryBaseMs = retryBase(env.ctx.env);
  const deps = {
    git: env.git,
    config: env.config,
    env: env.ctx.env,
    report: env.report,
    ...(retryBaseMs !== undefined ? { retryBaseMs } : {}),
  };
  switch (name) {
    case 'local':
      // merge.push pushes to the remote a fleet shares (engine.remote, default origin).
      return new LocalProvider(env.git, env.config, env.config.engine.remote, env.repo.commonDir);
    case 'github':
      return (await import('./github.js')).GitHubProvider.create(deps);
    case 'gitlab':
      return (await import('./gitlab.js')).GitLabProvider.create(deps);
  }
}

/**
 * YM_FORGE_RETRY_BASE_MS: milliseconds per retry unit of the forge HTTP clients (default 1000:
 * GitHub retries after 1, 4, 9 s, GitLab backs off from 1 s). The fault tests shorten it.
 */
function retryBase(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.YM_FORGE_RETRY_BASE_MS;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,6}$/.test(raw))
    throw new UsageError(
      `YM_FORGE_RETRY_BASE_MS must be a whole number of milliseconds, got "${raw}".`,
    );
  return Number(raw);
}
