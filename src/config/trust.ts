// Commands from a repository's own config (checks, worktree setup, custom agents) run only
// once the user approved that exact config (`ym trust`), as worktrunk does; --yes and CI
// count as approval. The record lives in git's common dir, so a clone never brings one along.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { isCI } from '../core/env.js';

interface TrustRecord {
  hash: string;
  at: string;
}

function trustFile(stateDir: string): string {
  return path.join(stateDir, 'trust.json');
}

export function readTrust(stateDir: string): TrustRecord | null {
  const file = trustFile(stateDir);
  if (!existsSync(file)) return null;
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<TrustRecord>;
    return typeof data.hash === 'string' && typeof data.at === 'string'
      ? { hash: data.hash, at: data.at }
      : null;
  } catch {
    return null;
  }
}

export function writeTrust(stateDir: string, hash: string, at: Date): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    trustFile(stateDir),
    `${JSON.stringify({ hash, at: at.toISOString() }, null, 2)}\n`,
  );
}

/** Throws unless the repository's config is trusted; `what` lists the commands that would run. */
export async function requireTrust(ctx: Context, what: readonly string[]): Promise<void> {
  if (ctx.yes || isCI(ctx.env)) return;
  const [repo, loaded] = await Promise.all([ctx.repo(), ctx.config()]);
  const record = readTrust(repo.stateDir);
  if (record?.hash === loaded.hash) return;
  const changed = record ? ' It changed since you last trusted it.' : '';
  throw new UsageError(
    `yardmaster.json asks to run commands this repository defines, and you have not approved it.${changed}\n` +
      what.map((w) => `  would run: ${w}`).join('\n'),
    { hint: 'Review yardmaster.json, then run `ym trust` (or pass --yes).' },
  );
}

export async function trust(ctx: Context): Promise<void> {
  const [repo, loaded] = await Promise.all([ctx.repo(), ctx.config()]);
  if (!loaded.exists) throw new UsageError(`No yardmaster.json in ${repo.root}; nothing to trust.`);
  writeTrust(repo.stateDir, loaded.hash, ctx.clock.now());
  if (ctx.json) ctx.out.json({ trusted: true, file: loaded.file, hash: loaded.hash });
  else ctx.out.line(`Trusted ${loaded.file} (sha256 ${loaded.hash.slice(0, 12)}).`);
}
