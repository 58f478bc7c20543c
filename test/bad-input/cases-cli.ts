// Bad input on the command line: unknown commands and options, flag values, track ids, and
// commands asked to do something the repository's state does not allow.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BadInputCase } from './harness.js';

/** Marks a track merged in the sandbox's state.db (as a landing would have). */
const markMerged = (id: string) => (s: { repo: string }) =>
  setState(s, id, 'merged', '0'.repeat(40));
/** Marks a track ready, its branch at the target, as a validated track would be. */
const markReady = (id: string) => (s: { repo: string; git(args: string[]): string }) => {
  s.git(['branch', `ym/${id}`]);
  setState(s, id, 'ready', null);
};
function setState(s: { repo: string }, id: string, state: string, mergedSha: string | null): void {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => {
    prepare(sql: string): { run(...args: unknown[]): unknown };
    close(): void;
  };
  const db = new Database(path.join(s.repo, '.git', 'yardmaster', 'state.db'));
  db.prepare('UPDATE tracks SET state = ?, merged_sha = ?, branch = ? WHERE id = ?').run(
    state,
    mergedSha,
    `ym/${id}`,
    id,
  );
  db.close();
}

const onTrackBranch = (s: { git(args: string[]): string }) =>
  void s.git(['switch', '-q', '-c', 'ym/alpha']);

export const CLI_CASES: BadInputCase[] = [
  {
    name: 'unknown command',
    argv: ['frobnicate'],
    code: 2,
    message: /unknown command 'frobnicate'/,
  },
  {
    name: 'unknown option',
    argv: ['status', '--bogus'],
    code: 2,
    message: /unknown option '--bogus'/,
  },
  {
    name: 'unknown hooks subcommand',
    argv: ['hooks', 'frobnicate'],
    code: 2,
    message: /unknown command 'frobnicate'/,
  },
  {
    name: 'unknown config subcommand',
    argv: ['config', 'frobnicate'],
    code: 2,
    message: /unknown command 'frobnicate'/,
  },
  {
    name: 'review an unknown track',
    argv: ['review', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'review an unknown track, no state.db yet',
    base: 'files-only',
    argv: ['review', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'review a planned track (no branch yet)',
    argv: ['review', 'alpha'],
    code: 2,
    message: /Track alpha has no branch yet \(it is planned\): there is nothing to review/,
  },
  {
    name: 'review a planned track, no state.db yet',
    base: 'files-only',
    argv: ['review', 'alpha', '--json'],
    code: 2,
    message: /Track alpha has no branch yet \(it is planned\)/,
  },
  {
    name: 'review an invalid track id',
    argv: ['review', '../alpha'],
    code: 2,
    message: /Invalid track id "\.\.\/alpha": it has path characters/,
  },
  {
    name: 'review without yardmaster.json',
    base: 'no-config',
    argv: ['review', 'alpha'],
    code: 2,
    message: /No yardmaster\.json in .*\/repo/,
  },
  {
    name: 'approve an unknown track',
    argv: ['approve', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'approve an unknown track, no state.db yet',
    base: 'files-only',
    argv: ['approve', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'approve a planned track (not validated)',
    argv: ['approve', 'alpha'],
    code: 2,
    message: /Track alpha is planned, not ready: only a validated track can be approved/,
  },
  {
    name: 'approve a planned track, no state.db yet',
    base: 'files-only',
    argv: ['approve', 'alpha'],
    code: 2,
    message: /Track alpha is planned, not ready/,
  },
  {
    name: 'approve a merged track',
    setup: markMerged('alpha'),
    argv: ['approve', 'alpha'],
    code: 2,
    message: /Track alpha is already merged: there is nothing to approve/,
  },
  {
    name: 'approve a ready track and an unknown one: neither is approved',
    setup: markReady('alpha'),
    argv: ['approve', 'alpha', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'reject a ready track with an empty reason',
    setup: markReady('alpha'),
    argv: ['reject', 'alpha', '--reason', ''],
    code: 2,
    message: /--reason must say what to change/,
  },
  {
    name: 'approve an invalid track id',
    argv: ['approve', '../alpha'],
    code: 2,
    message: /Invalid track id "\.\.\/alpha": it has path characters/,
  },
  {
    name: 'approve with no track and no --all',
    argv: ['approve'],
    code: 2,
    message: /Name the track\(s\) to approve, or pass --all/,
  },
  {
    name: 'approve tracks and --all',
    argv: ['approve', 'alpha', '--all'],
    code: 2,
    message: /Name tracks or pass --all, not both/,
  },
  {
    name: 'reject with an empty reason',
    argv: ['reject', 'alpha', '--reason', '  '],
    code: 2,
    message: /--reason must say what to change/,
  },
  {
    name: 'reject without a reason',
    argv: ['reject', 'alpha'],
    code: 2,
    message: /--reason must say what to change/,
  },
  {
    name: 'reject an unknown track',
    argv: ['reject', 'ghost', '--reason', 'no'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'reject a planned track',
    argv: ['reject', 'alpha', '--reason', 'no'],
    code: 2,
    message: /Track alpha is planned, not ready: only a validated track can be rejected/,
  },
  {
    name: 'reject a merged track',
    setup: markMerged('alpha'),
    argv: ['reject', 'alpha', '--reason', 'no'],
    code: 2,
    message: /Track alpha is already merged: there is nothing to reject/,
  },
  {
    name: 'revert of a track that is not merged',
    argv: ['revert', 'alpha'],
    code: 2,
    message: /Track alpha is planned, not merged/,
  },
  {
    name: 'implement --concurrency abc',
    argv: ['implement', '--concurrency', 'abc'],
    code: 2,
    message: /--concurrency.*'abc'.*integer from 1 to 64/,
  },
  {
    name: 'implement --concurrency 0',
    argv: ['implement', '--concurrency', '0'],
    code: 2,
    message: /--concurrency.*'0'.*integer from 1 to 64/,
  },
  {
    name: 'implement --concurrency 999',
    argv: ['implement', '--concurrency', '999'],
    code: 2,
    message: /--concurrency.*'999'.*integer from 1 to 64/,
  },
  {
    name: 'implement --attempts -1',
    argv: ['implement', '--attempts', '-1'],
    code: 2,
    message: /--attempts.*'-1'.*integer from 1 to 20/,
  },
  {
    name: 'implement --attempts 2.5',
    argv: ['implement', '--attempts', '2.5'],
    code: 2,
    message: /--attempts.*'2\.5'.*integer from 1 to 20/,
  },
  {
    name: 'implement an unknown track',
    argv: ['implement', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'implement an invalid track id',
    argv: ['implement', '../alpha'],
    code: 2,
    message: /Invalid track id "\.\.\/alpha": it has path characters/,
  },
  {
    name: 'implement an unknown track, no state.db yet',
    base: 'files-only',
    argv: ['implement', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'implement --agent unknown',
    argv: ['implement', '--agent', 'nope'],
    code: 2,
    message: /Unknown agent "nope" \(--agent\)/,
  },
  {
    name: 'implement with an agent program that does not exist',
    setup: (s) =>
      s.editJson('yardmaster.json', (c) =>
        Object.assign(c, { agent: 'bot', agents: { bot: { command: ['/nonexistent/bot'] } } }),
      ),
    argv: ['implement', '--yes'],
    code: 2,
    message: /Agent "bot": program "\/nonexistent\/bot" was not found/,
  },
  {
    name: 'implement with a target branch that does not exist',
    setup: (s) => s.editJson('yardmaster.json', (c) => Object.assign(c, { target: 'develop' })),
    argv: ['implement'],
    code: 2,
    message: /target branch "develop" does not exist/,
  },
  {
    name: 'implement with GIT_DIR set (as inside a git hook)',
    argv: ['implement', '--yes'],
    env: { GIT_DIR: '{repo}/.git' },
    code: 2,
    message:
      /GIT_DIR=.*\/repo\/\.git is set: git would act on that repository instead of each track's worktree/,
  },
  {
    name: 'merge with GIT_INDEX_FILE set (as inside a commit hook)',
    argv: ['merge', '--yes'],
    env: { GIT_INDEX_FILE: '{root}/other-index' },
    code: 2,
    message: /GIT_INDEX_FILE=.*other-index is set: git would act on that repository/,
  },
  {
    name: 'new-track --type epic',
    argv: ['new-track', 'X', '--type', 'epic'],
    code: 2,
    message: /'--type <type>' argument 'epic' is invalid/,
  },
  {
    name: 'new-track --id with spaces',
    argv: ['new-track', 'X', '--id', 'a b'],
    code: 2,
    message: /Invalid --id "a b": it has whitespace/,
  },
  {
    name: 'new-track --id ..',
    argv: ['new-track', 'X', '--id', '..'],
    code: 2,
    message: /Invalid --id "\.\.": it has path characters/,
  },
  {
    name: 'new-track --id with a slash',
    argv: ['new-track', 'X', '--id', 'a/b'],
    code: 2,
    message: /Invalid --id "a\/b": it has path characters/,
  },
  {
    name: 'new-track --id uppercase',
    argv: ['new-track', 'X', '--id', 'Alpha'],
    code: 2,
    message: /Invalid --id "Alpha": it has uppercase letters/,
  },
  {
    name: 'new-track --id of 49 characters',
    argv: ['new-track', 'X', '--id', 'a'.repeat(49)],
    code: 2,
    message: /Invalid --id "a{49}": it is 49 characters long/,
  },
  {
    name: 'new-track --id with a leading dash',
    argv: ['new-track', 'X', '--id', '-rf'],
    code: 2,
    message: /Invalid --id "-rf": it starts with "-"/,
  },
  {
    name: 'new-track --id that exists',
    argv: ['new-track', 'X', '--id', 'alpha'],
    code: 2,
    message: /track "alpha" already exists/,
  },
  {
    name: 'new-track --depends-on unknown',
    argv: ['new-track', 'X', '--depends-on', 'ghost'],
    code: 2,
    message: /--depends-on: unknown track "ghost"/,
  },
  {
    name: 'new-track with an empty title',
    argv: ['new-track', ' '],
    code: 2,
    message: /track title is empty/,
  },
  {
    name: 'new-track with a two-line title',
    argv: ['new-track', 'one\ntwo'],
    code: 2,
    message: /track title must be one line/,
  },
  {
    name: 'new-track --scope outside the repository',
    argv: ['new-track', 'X', '--scope', '../outside'],
    code: 2,
    message: /--scope "\.\.\/outside": must not contain "\.\."/,
  },
  {
    name: 'new-track --scope absolute',
    argv: ['new-track', 'X', '--scope', '/etc'],
    code: 2,
    message: /--scope "\/etc": must be relative/,
  },
  {
    name: 'new-track --spec-file missing',
    argv: ['new-track', 'X', '--spec-file', 'missing.md'],
    code: 2,
    message: /--spec-file: .*\/missing\.md does not exist/,
  },
  {
    name: 'new-track --spec-file a directory',
    argv: ['new-track', 'X', '--spec-file', 'yardmaster'],
    code: 2,
    message: /--spec-file: .*\/repo\/yardmaster is a directory, not a file/,
  },
  {
    name: 'setup --from-conductor without conductor/',
    base: 'no-config',
    argv: ['setup', '--from-conductor', '--yes'],
    code: 2,
    message: /No Conductor project here: .*\/repo\/conductor does not exist/,
  },
  {
    name: 'setup --ci bitbucket',
    argv: ['setup', '--ci', 'bitbucket'],
    code: 2,
    message: /'--ci <forge>' argument 'bitbucket' is invalid/,
  },
  {
    name: 'setup again in a set-up repository',
    argv: ['setup', '--yes'],
    code: 2,
    message: /already set up here: yardmaster\.json/,
  },
  {
    name: 'plan without an objective or --from',
    argv: ['plan'],
    code: 2,
    message: /Say what to plan/,
  },
  {
    name: 'status of an unknown track',
    argv: ['status', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'status of an unknown track, no state.db yet',
    base: 'files-only',
    argv: ['status', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'status --watch --json',
    argv: ['status', '--watch', '--json'],
    code: 2,
    message: /--watch and --json cannot be combined/,
  },
  {
    name: 'merge --provider bitbucket',
    argv: ['merge', '--provider', 'bitbucket'],
    code: 2,
    message: /'--provider <name>' argument 'bitbucket' is invalid/,
  },
  {
    name: 'merge an unknown track',
    argv: ['merge', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'merge a track that is not ready',
    argv: ['merge', 'alpha'],
    code: 2,
    message: /Track "alpha" is planned, not ready/,
  },
  {
    name: 'merge a track, no state.db yet',
    base: 'files-only',
    argv: ['merge', 'alpha'],
    code: 2,
    message: /Track "alpha" is planned, not ready/,
  },
  {
    name: 'validate with no track on main',
    argv: ['validate'],
    code: 2,
    message: /current branch \(main\) is not a track branch/,
  },
  {
    name: 'validate an unknown track',
    argv: ['validate', 'ghost'],
    code: 2,
    message: /Unknown track "ghost"/,
  },
  {
    name: 'validate --rev without --builtin-only',
    argv: ['validate', '--rev', 'HEAD', 'alpha'],
    code: 2,
    message: /--rev needs --builtin-only/,
  },
  {
    name: 'validate --ci with no track branch',
    base: 'files-only',
    argv: ['validate', '--ci'],
    code: 2,
    message: /--ci: no track matches this build's branch/,
  },
  {
    name: 'validate --junit into a missing directory',
    base: 'files-only',
    setup: onTrackBranch,
    argv: ['validate', '--junit', '/nonexistent/dir/x.xml'],
    code: 2,
    message:
      /Cannot write the JUnit report to \/nonexistent\/dir\/x\.xml: the directory \/nonexistent\/dir does not exist/,
  },
  {
    name: 'validate --junit into a directory',
    base: 'files-only',
    setup: onTrackBranch,
    argv: ['validate', '--junit', 'yardmaster'],
    code: 2,
    message: /Cannot write the JUnit report to .*\/repo\/yardmaster: it is a directory/,
  },
  {
    name: 'config check without yardmaster.json',
    base: 'no-config',
    argv: ['config', 'check'],
    code: 2,
    message: /No yardmaster\.json in .*\/repo/,
  },
  {
    name: 'trust without yardmaster.json',
    base: 'no-config',
    argv: ['trust'],
    code: 2,
    message: /No yardmaster\.json in .*\/repo; nothing to trust/,
  },
  {
    name: 'hooks install with core.hooksPath naming a file',
    setup: (s) => void s.git(['config', 'core.hooksPath', 'README.md']),
    argv: ['hooks', 'install'],
    code: 2,
    message:
      /hooks directory .*\/repo\/README\.md is not a directory \(core\.hooksPath = README\.md\)/,
  },
  {
    name: 'hooks install outside a repository',
    base: 'plain',
    argv: ['hooks', 'install'],
    code: 2,
    message: /Not a git repository: .*\/repo/,
  },
  {
    name: 'demo into a non-empty directory',
    argv: ['demo', '{repo}'],
    code: 2,
    message: /\/repo is not empty; the demo needs a new or empty directory/,
  },
  {
    name: 'demo into a file',
    argv: ['demo', 'README.md'],
    code: 2,
    message: /\/repo\/README\.md is a file; the demo needs a new or empty directory/,
  },
  {
    name: '--cwd a directory that does not exist',
    argv: ['--cwd', '{root}/nowhere', 'status'],
    code: 2,
    message: /Directory not found: .*\/nowhere/,
  },
  {
    name: '--cwd a file',
    argv: ['--cwd', '{repo}/README.md', 'status'],
    code: 2,
    message: /Not a directory: .*\/README\.md/,
  },
  {
    name: '--cwd a directory that is not a repository',
    base: 'plain',
    argv: ['--cwd', '{repo}', 'status'],
    code: 2,
    message: /Not a git repository: .*\/repo/,
  },
  {
    name: '--cwd a bare repository',
    base: 'bare',
    argv: ['--cwd', '{repo}', 'status'],
    code: 2,
    message: /\/repo is a bare repository/,
  },
];
