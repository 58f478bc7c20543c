// Picks the VcsProvider for a run. Forge clients are imported only when used, so octokit and
// gitbeaker never load for the local provider, `--version` or `--json` reads.
import type { RunEnv } from '../run/env.js';
import { LocalProvider } from './local.js';
import type { VcsProvider } from './types.js';

export type ProviderName = 'local' | 'github' | 'gitlab';

export async function createProvider(env: RunEnv, name: ProviderName = env.config.merge.provider): Promise<VcsProvider> {
  const deps = { git: env.git, config: env.config, env: env.ctx.env, report: env.report };
  switch (name) {
    case 'local':
      return new LocalProvider(env.git, env.config, 'origin', env.repo.commonDir);
    case 'github':
      return (await import('./github.js')).GitHubProvider.create(deps);
    case 'gitlab':
      return (await import('./gitlab.js')).GitLabProvider.create(deps);
  }
}
