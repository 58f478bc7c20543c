// git's rules for branch names (`git check-ref-format --branch`, refs.c), in pure code so the
// config schema can refuse a bad `target`, `branchPrefix` or remote name with its field path
// before any git command sees it. test/unit/ref-name.test.ts checks these rules against git.
import { z } from 'zod';

/** Why `name` is not a valid branch name, or null when git accepts it. */
export function branchNameProblem(name: string): string | null {
  if (name === '') return 'it is empty';
  if (name.startsWith('-')) return 'it starts with "-"';
  if (name === 'HEAD' || name === '@') return `it is "${name}"`;
  if ([...name].some((ch) => ch <= ' ' || ch === '\x7f'))
    return 'it has a space or a control character';
  const bad = /[~^:?*[\\]/.exec(name);
  if (bad) return `it has "${bad[0]}"`;
  if (name.includes('..')) return 'it has ".."';
  if (name.includes('@{')) return 'it has "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'it has an empty part between slashes';
  if (name.endsWith('.')) return 'it ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `its part "${part}" starts with "."`;
    if (part.endsWith('.lock')) return `its part "${part}" ends with ".lock"`;
  }
  return null;
}

/** Why `prefix + <track id>` may not be a valid branch name for every track id, or null. */
export function branchPrefixProblem(prefix: string): string | null {
  if (prefix === '') return 'it is empty (track branches would mix with every other branch)';
  const sample = branchNameProblem(`${prefix}x`);
  if (sample) return `"${prefix}<id>" would not be a valid branch name: ${sample}`;
  // Track ids have no ".", so only a "." after the last "/" could make "<prefix><id>" end in ".lock".
  if (prefix.slice(prefix.lastIndexOf('/') + 1).includes('.'))
    return 'it must not have a "." after its last "/"';
  return null;
}

function refined(problem: (value: string) => string | null, what: string) {
  return z.string().superRefine((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: `not a valid ${what}: ${why}`, input: value });
  });
}

export const BranchName = refined(branchNameProblem, 'branch name');
export const BranchPrefix = refined(branchPrefixProblem, 'branch prefix');
/** A git remote's name: it goes into refs/remotes/<name>/ and into argv, so never an option. */
export const RemoteName = refined(branchNameProblem, 'remote name');
