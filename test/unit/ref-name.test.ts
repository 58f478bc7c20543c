// The pure branch-name rules agree with `git check-ref-format --branch` on names meant to break
// them (options, paths, control characters, shell metacharacters, unicode).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { branchNameProblem, branchPrefixProblem } from '../../src/core/ref-name.js';
import { ConfigSchema } from '../../src/config/schema.js';

const NAMES = [
  'main',
  'ym/slugify',
  'feature/a-b_c.d',
  'release-1.2',
  'ünïcødé',
  'a@b',
  'HEAD',
  '',
  '-x',
  '--upload-pack=touch pwned',
  '../x',
  'a/../b',
  'a..b',
  '.hidden',
  'a/.b',
  'a.',
  'a/',
  '/a',
  'a//b',
  'a.lock',
  'a.lock/b',
  'a b',
  'a\tb',
  'a\nb',
  'a\x7fb',
  'a~1',
  'a^',
  'a:b',
  'a?',
  'a*',
  'a[1]',
  'a\\b',
  'a@{1}',
  '$(touch pwned)',
  '`id`',
  'a;rm -rf',
  'a|b',
  'a&&b',
  "it's",
  'x"y',
  'a{b}',
  'a.b.c/d',
];

function gitAccepts(name: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', name], {
      stdio: 'ignore',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
    });
    return true;
  } catch {
    return false;
  }
}

describe('branch names', () => {
  it.each(NAMES)('agrees with git check-ref-format --branch on %j', (name) => {
    expect(branchNameProblem(name) === null, String(branchNameProblem(name))).toBe(
      gitAccepts(name),
    );
  });

  it('refuses "@", which git check-ref-format --branch would expand to the current branch', () => {
    expect(branchNameProblem('@')).toBe('it is "@"');
  });

  it('refuses prefixes that escape, look like options, have spaces, or could end in .lock', () => {
    for (const bad of ['../', '-x', 'ym /', 'a..', '', 'ym/a.l', '.ym/'])
      expect(branchPrefixProblem(bad), bad).not.toBeNull();
    for (const good of ['ym/', 'yardmaster-', 'agents/ym-', 'x.y/'])
      expect(branchPrefixProblem(good), good).toBeNull();
  });

  it('the config schema uses them for target, branchPrefix and forge remotes', () => {
    const r = ConfigSchema.safeParse({
      target: '-x',
      branchPrefix: '../',
      github: { owner: 'o', repo: 'r', remote: '--receive-pack=x' },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'branchPrefix',
      'github.remote',
      'target',
    ]);
  });
});
