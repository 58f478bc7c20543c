// Which parts of a track's diff change what yardmaster or CI runs: the command-bearing keys of
// yardmaster.json (compared as parsed values, key by key), CI definitions (.github/workflows/**,
// .gitlab-ci.yml) and the hooks `ym hooks install` manages in a committed core.hooksPath. An agent
// that edits one of these edits what runs after it lands (CI counts as approval), so review shows
// that part first and the approval gate will always ask for a human. Pure: no I/O.
import { CHAINED_SUFFIX, HOOK_NAMES } from '../hooks/names.js';

export const CONFIG_PATH = 'yardmaster.json';
/** Top-level keys of yardmaster.json whose values are, or choose, commands that run. */
export const COMMAND_KEYS = ['agents', 'checks', 'worktrees.setup', 'notify', 'engine'] as const;

export type CommandBearingRule = 'config' | 'github-workflow' | 'gitlab-ci' | 'hook';

export interface ChangedPath {
  path: string;
  /** The path before a rename or copy. */
  oldPath?: string | undefined;
}

export interface CommandBearingInput {
  changes: readonly ChangedPath[];
  /** yardmaster.json at the base and at the head; null where it does not exist. */
  config?: { before: string | null; after: string | null } | undefined;
  /** core.hooksPath relative to the repository root, when it points inside it; else null. */
  hooksDir?: string | null | undefined;
}

export interface CommandBearingPart {
  /** The changed file (its new path; the old one for a file renamed away). */
  path: string;
  oldPath?: string;
  rule: CommandBearingRule;
  /** For yardmaster.json: the changed values, e.g. `checks[0].run`, `agents.bot.command[1]`. */
  keys: string[];
  /** One line saying what it changes. */
  summary: string;
}

/** Every command-bearing part of a diff, in the order of `changes`. */
export function detectCommandBearing(input: CommandBearingInput): CommandBearingPart[] {
  const parts: CommandBearingPart[] = [];
  const hooks = hookPaths(input.hooksDir ?? null);
  for (const change of input.changes) {
    const paths = [change.path, ...(change.oldPath === undefined ? [] : [change.oldPath])];
    const base = {
      path: change.path,
      ...(change.oldPath === undefined ? {} : { oldPath: change.oldPath }),
    };
    if (paths.includes(CONFIG_PATH)) {
      const { keys, invalid } = changedCommandKeys(input.config ?? { before: null, after: null });
      const summary =
        invalid === null
          ? keys.join(', ')
          : `${CONFIG_PATH} is not valid JSON on the ${invalid}: ${keys.join(', ')} may change`;
      if (keys.length > 0) parts.push({ ...base, rule: 'config', keys, summary });
      continue;
    }
    const workflow = paths.find(isGithubWorkflow);
    if (workflow !== undefined) {
      parts.push({
        ...base,
        rule: 'github-workflow',
        keys: [],
        summary: `GitHub Actions workflow ${workflow}`,
      });
      continue;
    }
    if (paths.includes('.gitlab-ci.yml')) {
      parts.push({
        ...base,
        rule: 'gitlab-ci',
        keys: [],
        summary: 'GitLab CI pipeline .gitlab-ci.yml',
      });
      continue;
    }
    const hook = paths.find((p) => hooks.has(p));
    if (hook !== undefined) {
      parts.push({ ...base, rule: 'hook', keys: [], summary: `git hook ${hook} (core.hooksPath)` });
    }
  }
  return parts;
}

function isGithubWorkflow(p: string): boolean {
  return p.startsWith('.github/workflows/') && p.length > '.github/workflows/'.length;
}

function hookPaths(dir: string | null): Set<string> {
  if (dir === null) return new Set();
  const prefix = dir === '' || dir === '.' ? '' : `${dir.replace(/\/+$/, '')}/`;
  return new Set(
    HOOK_NAMES.flatMap((name) => [`${prefix}${name}`, `${prefix}${name}${CHAINED_SUFFIX}`]),
  );
}

const INVALID = Symbol('invalid JSON');

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

/**
 * The command-bearing values that differ between two versions of yardmaster.json, as paths
 * (`checks[0].run`). A side that is not valid JSON cannot be read for what it runs, so every
 * command key counts as changed, and `invalid` says which side it was.
 */
export function changedCommandKeys(config: { before: string | null; after: string | null }): {
  keys: string[];
  invalid: 'base' | 'branch' | null;
} {
  const before = parse(config.before);
  const after = parse(config.after);
  if (before === INVALID || after === INVALID) {
    return { keys: [...COMMAND_KEYS], invalid: after === INVALID ? 'branch' : 'base' };
  }
  const out: string[] = [];
  for (const key of COMMAND_KEYS) {
    const segments = key.split('.');
    diffValues(at(before, segments), at(after, segments), key, out);
  }
  return { keys: out, invalid: null };
}

function at(value: unknown, segments: readonly string[]): unknown {
  let v = value;
  for (const s of segments) {
    if (!isObject(v) || !Object.hasOwn(v, s)) return undefined;
    v = v[s];
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;
const member = (path: string, key: string) =>
  IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * Appends the paths of the values that differ: objects key by key, arrays of objects (`checks`)
 * index by index; any other array (an argv, `notify.on`) is one value, so a changed command is
 * reported as `checks[0].run`, not word by word.
 */
function diffValues(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every(isObject)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      diffValues(
        i < a.length ? a[i] : undefined,
        i < b.length ? b[i] : undefined,
        `${path}[${i}]`,
        out,
      );
    }
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) diffValues(a[k], b[k], member(path, k), out);
    return;
  }
  if (!sameValue(a, b)) out.push(path);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
