// Where the fleet's Redis is: YM_REDIS_URL, or a file named by YM_REDIS_URL_FILE that lies
// outside the repository (a password must never be committed). The URL is never printed,
// logged or stored: every message that could carry it goes through maskSecret.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

export interface RedisTarget {
  /** The full URL, password included: hand it to the client only. */
  readonly url: string;
  /** The URL with its user and password replaced: safe to print. */
  readonly shown: string;
  /** Strings that must never appear in output (the URL, its password). */
  readonly secrets: readonly string[];
}

const HINT =
  'Set YM_REDIS_URL=redis://[:password@]host:6379/0 in the environment, or YM_REDIS_URL_FILE to a file outside the repository holding it.';

export function resolveRedisUrl(env: NodeJS.ProcessEnv, repoRoot: string): RedisTarget {
  const direct = env.YM_REDIS_URL?.trim();
  if (direct) return parse(direct, 'YM_REDIS_URL');
  const file = env.YM_REDIS_URL_FILE?.trim();
  if (!file)
    throw new UsageError('The bullmq engine needs a Redis URL, and none is set.', { hint: HINT });
  if (!path.isAbsolute(file))
    throw new UsageError(`YM_REDIS_URL_FILE must be an absolute path, not "${file}".`, {
      hint: HINT,
    });
  let real: string;
  let text: string;
  try {
    real = realpathSync(file);
    text = readFileSync(real, 'utf8');
  } catch (err) {
    throw new UsageError(
      `YM_REDIS_URL_FILE ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`,
      { hint: HINT },
    );
  }
  const rel = path.relative(realpathSync(repoRoot), real);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)))
    throw new UsageError(
      `YM_REDIS_URL_FILE ${file} is inside the repository; a Redis password must not live where it can be committed.`,
      { hint: 'Move the file outside the repository (e.g. ~/.config/yardmaster/redis-url).' },
    );
  return parse(text.trim(), 'YM_REDIS_URL_FILE');
}

function parse(raw: string, from: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${from} is not a URL (its value is not shown).`, { hint: HINT });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError(
      `${from} must be a redis:// or rediss:// URL, not ${u.protocol}// (its value is not shown).`,
      { hint: HINT },
    );
  // Without credentials the URL is no secret (and is what `shown` says).
  const secrets = u.username || u.password ? [raw] : [];
  if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
  const shown = `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  return { url: raw, shown, secrets: secrets.filter((s) => s.length >= 3) };
}

/** The text with every secret of the target replaced; used on every message about Redis. */
export function maskSecret(text: string, target: Pick<RedisTarget, 'secrets'>): string {
  let out = text;
  for (const s of [...target.secrets].sort((a, b) => b.length - a.length))
    out = out.split(s).join('***');
  return out;
}
