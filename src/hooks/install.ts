// `ym hooks install|uninstall`: copies hooks/pre-push and hooks/commit-msg into the repository's
// hooks directory (core.hooksPath when set, relative to the repository root; else the common
// dir's hooks/), with the absolute node and yardmaster that installed them written in. A hook
// that is not ours is never overwritten: it moves to <name>.pre-yardmaster and ours runs it
// first. Installing twice changes nothing; uninstall puts the original back byte for byte.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../core/errors.js';
import { packageRoot } from '../core/package.js';
import { CHAINED_SUFFIX, HOOK_NAMES, type HookName } from './names.js';

export { CHAINED_SUFFIX, HOOK_NAMES, type HookName };

const MARKER = '# yardmaster-hook:';

export interface HookChange {
  name: HookName;
  file: string;
  action: 'installed' | 'updated' | 'chained' | 'removed' | 'restored' | 'absent' | 'not-ours';
  /** Where the user's own hook is (or was) kept. */
  chained?: string;
}

export interface HooksDir {
  dir: string;
  /** core.hooksPath as configured, when set. */
  hooksPath: string | null;
}

export async function hooksDir(ctx: Pick<Context, 'run' | 'repo'>): Promise<HooksDir> {
  const repo = await ctx.repo();
  const r = await ctx.run('git', ['config', '--path', '--get', 'core.hooksPath'], {
    cwd: repo.root,
    reject: false,
  });
  const value = r.exitCode === 0 ? r.stdout.trim() : '';
  if (value !== '') return { dir: path.resolve(repo.root, value), hooksPath: value };
  return { dir: path.join(repo.commonDir, 'hooks'), hooksPath: null };
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The hook from hooks/<name> with this installation's node, CLI and branch prefix. */
export function renderHook(
  name: HookName,
  vars: { node: string; cli: string; prefix: string },
): string {
  const text = readFileSync(path.join(packageRoot(), 'hooks', name), 'utf8');
  return text
    .replace(/^ym_node=.*$/m, `ym_node=${shellQuote(vars.node)}`)
    .replace(/^ym_cli=.*$/m, `ym_cli=${shellQuote(vars.cli)}`)
    .replace(/^ym_prefix=.*$/m, `ym_prefix=${shellQuote(vars.prefix)}`);
}

/** lstat without throwing: a dangling symlink still counts as something that is there. */
function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isOurs(file: string, name: HookName): boolean {
  try {
    return readFileSync(file, 'utf8')
      .split('\n', 3)
      .some((l) => l.trim() === `${MARKER} ${name}`);
  } catch {
    return false;
  }
}

function writeExecutable(file: string, text: string): void {
  const tmp = `${file}.yardmaster-tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o755 });
  chmodSync(tmp, 0o755);
  renameSync(tmp, file);
}

export async function installHooks(
  ctx: Context,
): Promise<{ dir: HooksDir; changes: HookChange[] }> {
  const dir = await hooksDir(ctx);
  const { config } = await ctx.config();
  const existing = statSync(dir.dir, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) {
    throw new UsageError(
      `The hooks directory ${dir.dir} is not a directory${dir.hooksPath ? ` (core.hooksPath = ${dir.hooksPath})` : ''}.`,
      {
        hint: 'Point core.hooksPath at a directory (`git config core.hooksPath .githooks`), or unset it.',
      },
    );
  }
  const vars = {
    node: process.execPath,
    cli: path.join(packageRoot(), 'bin', 'yardmaster.js'),
    prefix: config.branchPrefix,
  };
  // Check every hook before touching any, so a refusal leaves nothing half-installed.
  for (const name of HOOK_NAMES) {
    const file = path.join(dir.dir, name);
    if (present(file) && !isOurs(file, name) && present(file + CHAINED_SUFFIX)) {
      throw new UsageError(
        `Both ${file} and ${file}${CHAINED_SUFFIX} exist, and the first is not yardmaster's.`,
        {
          hint: `Merge them by hand (or remove ${name}${CHAINED_SUFFIX}), then run \`ym hooks install\` again.`,
        },
      );
    }
  }
  mkdirSync(dir.dir, { recursive: true });
  const changes: HookChange[] = [];
  for (const name of HOOK_NAMES) {
    const file = path.join(dir.dir, name);
    const aside = file + CHAINED_SUFFIX;
    let action: HookChange['action'] = 'installed';
    if (present(file)) {
      if (isOurs(file, name)) action = 'updated';
      else {
        renameSync(file, aside);
        action = 'chained';
      }
    }
    writeExecutable(file, renderHook(name, vars));
    changes.push({ name, file, action, ...(present(aside) ? { chained: aside } : {}) });
  }
  return { dir, changes };
}

export async function uninstallHooks(
  ctx: Context,
): Promise<{ dir: HooksDir; changes: HookChange[] }> {
  const dir = await hooksDir(ctx);
  const changes: HookChange[] = [];
  for (const name of HOOK_NAMES) {
    const file = path.join(dir.dir, name);
    const aside = file + CHAINED_SUFFIX;
    if (present(file) && !isOurs(file, name)) {
      changes.push({
        name,
        file,
        action: 'not-ours',
        ...(present(aside) ? { chained: aside } : {}),
      });
      continue;
    }
    const had = present(file);
    if (had) unlinkSync(file);
    if (present(aside)) {
      renameSync(aside, file);
      changes.push({ name, file, action: 'restored', chained: aside });
    } else changes.push({ name, file, action: had ? 'removed' : 'absent' });
  }
  return { dir, changes };
}

const DESCRIBE: Record<HookChange['action'], string> = {
  installed: 'installed',
  updated: 'updated (it was already installed)',
  chained: 'installed; your hook was moved to {chained} and runs first',
  removed: 'removed',
  restored: 'removed; your hook is back in place',
  absent: 'not installed',
  'not-ours': 'not yardmaster’s: left alone',
};

function report(
  ctx: Context,
  title: string,
  result: { dir: HooksDir; changes: HookChange[] },
): void {
  if (ctx.json) {
    ctx.out.json({
      hooksDir: result.dir.dir,
      hooksPath: result.dir.hooksPath,
      hooks: result.changes,
    });
    return;
  }
  const where = result.dir.hooksPath ? ` (core.hooksPath = ${result.dir.hooksPath})` : '';
  ctx.out.line(`${title} ${result.dir.dir}${where}:`);
  for (const c of result.changes) {
    const chained = path.basename(c.chained ?? '');
    const also = c.action === 'updated' && c.chained ? `; your ${chained} still runs first` : '';
    ctx.out.line(
      `  ${c.name.padEnd(10)}  ${DESCRIBE[c.action].replace('{chained}', chained)}${also}`,
    );
  }
}

export async function installHooksAction(ctx: Context): Promise<void> {
  const result = await installHooks(ctx);
  report(ctx, 'Git hooks in', result);
  if (!ctx.json)
    ctx.out.info(
      'pre-push checks track branches before they leave (bypass: git push --no-verify).',
    );
}

export async function uninstallHooksAction(ctx: Context): Promise<void> {
  report(ctx, 'Git hooks in', await uninstallHooks(ctx));
}
