// Commands that change a project need its yardmaster.json: say so clearly when it is missing.
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import type { LoadedConfig } from './load.js';

export async function requireConfig(ctx: Context): Promise<LoadedConfig> {
  const loaded = await ctx.config();
  if (!loaded.exists) {
    throw new UsageError(`No yardmaster.json in ${(await ctx.repo()).root}.`, {
      hint: 'Run `ym setup` first (or `ym setup --yes` for the defaults).',
    });
  }
  return loaded;
}
