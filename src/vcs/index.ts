// Picks the VcsProvider for a run. Forge clients are imported only when used.
import { UsageError } from '../core/errors.js';
import type { RunEnv } from '../run/env.js';
import { LocalProvider } from './local.js';
import type { VcsProvider } from './types.js';

export type ProviderName = 'local' | 'github' | 'gitlab';

export async function createProvider(env: RunEnv, name: ProviderName = env.config.merge.provider): Promise<VcsProvider> {
  switch (name) {
    case 'local':
      return new LocalProvider(env.git, env.config);
    case 'github':
    case 'gitlab':
      throw new UsageError(`merge.provider "${name}" is not available yet in this version of yardmaster.`, {
        hint: 'Use the local provider (merge.provider: "local") for now.',
      });
  }
}
