// `config check` and `config schema`.
import type { Context } from '../context.js';
import { configJsonSchema } from './schema.js';
import { requireConfig } from './require.js';

export async function checkConfig(ctx: Context): Promise<void> {
  const loaded = await requireConfig(ctx);
  if (ctx.json) ctx.out.json({ ok: true, file: loaded.file, config: loaded.config });
  else ctx.out.line(`${loaded.file}: ok`);
}

export async function printConfigSchema(ctx: Context): Promise<void> {
  ctx.out.json(configJsonSchema());
}
