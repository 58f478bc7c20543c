// Bad files: `plan --from` files, track.json, plan.md and state.db. Each message names the file
// and the field path or line.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BadInputCase, Sandbox } from './harness.js';

const file = (rel: string, text: string) => (s: Sandbox) => s.write(rel, text);
const from = (name: string, text: string, message: RegExp, rel = 'plan.yaml'): BadInputCase => ({
  name: `--from: ${name}`,
  setup: file(rel, text),
  argv: ['plan', '--from', rel, '--yes'],
  code: 2,
  message,
});
const trackJson = (edit: (t: Record<string, unknown>) => void) => (s: Sandbox) =>
  s.editJson('yardmaster/tracks/alpha/track.json', edit);
/** A broken plan.md under the strict level (by default plan-complete only warns). */
const strictPlan = (s: Sandbox) => {
  s.editJson('yardmaster.json', (c) => (c.builtinChecks = { planComplete: 'fail' }));
  s.git(['commit', '-q', '-am', 'strict plan-complete']);
};
const planMd = (text: string) => (s: Sandbox) => {
  strictPlan(s);
  s.write('yardmaster/tracks/alpha/plan.md', text);
  s.git(['switch', '-q', '-c', 'ym/alpha']);
  s.git(['commit', '-q', '-am', 'edit the plan']);
};

export const FILE_CASES: BadInputCase[] = [
  {
    name: '--from: a file that does not exist',
    argv: ['plan', '--from', 'nope.yaml'],
    code: 2,
    message: /--from: .*\/repo\/nope\.yaml does not exist/,
  },
  {
    name: '--from: a bad file outside the repository, named by its absolute path',
    setup: (s) => writeFileSync(path.join(s.root, 'outside.yaml'), 'tracks: 3\n'),
    argv: ['plan', '--from', '{root}/outside.yaml'],
    code: 2,
    message: /^error: \/.*\/outside\.yaml is invalid:\n\s+tracks: .*expected array.*3/m,
  },
  {
    name: '--from: a directory',
    argv: ['plan', '--from', 'yardmaster'],
    code: 2,
    message: /--from: .*\/repo\/yardmaster is a directory, not a file/,
  },
  from('not YAML', 'tracks: [\n  - id: a\n', /plan\.yaml:\d+: not valid YAML or JSON/),
  from(
    'YAML aliases that would expand without bound',
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'
        .split('')
        .map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]!}`).join(', ')}]`),
      'tracks: *h',
      '',
    ].join('\n'),
    /plan\.yaml: cannot be read as YAML \(Excessive alias count/,
  ),
  from('not JSON', '{"tracks": [', /plan\.json: not valid JSON/, 'plan.json'),
  from(
    'a scalar, not a mapping',
    'just words\n',
    /plan\.yaml: expected a mapping with "objective" and "tracks"/,
  ),
  from(
    'no tracks',
    'objective: Something\n',
    /plan\.yaml is invalid:\n\s+tracks: .*expected array/,
  ),
  from('an empty list of tracks', 'tracks: []\n', /tracks: needs at least one track/),
  from('a track without a title', 'tracks:\n  - id: a\n', /tracks\[0\]\.title: /),
  from(
    'an invalid track id',
    'tracks:\n  - id: Bad_Id\n    title: A\n',
    /tracks\[0\]\.id: must be 1-48 characters/,
  ),
  from(
    'an unknown key, with a suggestion',
    'tracks:\n  - id: a\n    title: A\n    typ: bug\n',
    /tracks\[0\]\.typ: unknown key \(did you mean "type"\?\)/,
  ),
  from(
    'an unknown type',
    'tracks:\n  - id: a\n    title: A\n    type: epic\n',
    /tracks\[0\]\.type: .*"epic"/,
  ),
  from(
    'scope with ..',
    'tracks:\n  - id: a\n    title: A\n    scope: [../etc]\n',
    /tracks\[0\]\.scope\[0\]: must not contain "\.\."/,
  ),
  from(
    'scope absolute',
    'tracks:\n  - id: a\n    title: A\n    scope: [/etc/passwd]\n',
    /tracks\[0\]\.scope\[0\]: must be relative/,
  ),
  from(
    'a two-line title',
    'tracks:\n  - id: a\n    title: "one\\ntwo"\n',
    /tracks\[0\]\.title: must be one line/,
  ),
  from(
    'a dependency cycle',
    'tracks:\n  - {id: a, title: A, dependsOn: [b]}\n  - {id: b, title: B, dependsOn: [a]}\n',
    /plan\.yaml: dependency cycle a -> b -> a/,
  ),
  from(
    'an unknown dependency',
    'tracks:\n  - {id: a, title: A, dependsOn: [zz]}\n',
    /plan\.yaml: track "a" depends on unknown track "zz"/,
  ),
  from(
    'a duplicate id',
    'tracks:\n  - {id: a, title: A}\n  - {id: a, title: B}\n',
    /plan\.yaml: duplicate track id "a"/,
  ),
  from(
    'an id that exists',
    'tracks:\n  - {id: alpha, title: A}\n',
    /plan\.yaml: track "alpha" already exists/,
  ),
  {
    name: 'track.json: id does not match its folder',
    setup: trackJson((t) => (t.id = 'other')),
    argv: ['status'],
    code: 2,
    message: /tracks\/alpha\/track\.json: id "other" does not match its folder "alpha"/,
  },
  {
    name: 'track.json: not valid JSON',
    setup: file('yardmaster/tracks/alpha/track.json', '{ "id": '),
    argv: ['implement'],
    code: 2,
    message: /tracks\/alpha\/track\.json: not valid JSON/,
  },
  {
    name: 'track.json: unknown type',
    setup: trackJson((t) => (t.type = 'epic')),
    argv: ['new-track', 'X'],
    code: 2,
    message: /tracks\/alpha\/track\.json is invalid:\n\s+type: .*"epic"/,
  },
  {
    name: 'track.json: no createdAt',
    setup: trackJson((t) => delete t.createdAt),
    argv: ['doctor'],
    code: 2,
    message: /tracks\/alpha\/track\.json is invalid:\n\s+createdAt: /,
  },
  {
    name: 'track.json: an empty title',
    setup: trackJson((t) => (t.title = ' ')),
    argv: ['status', '--json'],
    code: 2,
    message: /tracks\/alpha\/track\.json is invalid:\n\s+title: /,
  },
  {
    name: 'track.json: an unknown dependency',
    setup: trackJson((t) => (t.dependsOn = ['ghost'])),
    argv: ['implement'],
    code: 2,
    message: /tracks\/alpha\/track\.json: dependsOn: unknown track "ghost"/,
  },
  {
    name: 'track.json: a dependency cycle between files',
    setup: trackJson((t) => (t.dependsOn = ['beta'])),
    argv: ['implement'],
    code: 2,
    message: /dependency cycle alpha -> beta -> alpha .*yardmaster\/tracks\/alpha\/track\.json/,
  },
  {
    name: 'plan.md: an unknown task marker',
    base: 'files-only',
    setup: planMd('# Plan: Alpha\n\n## Phase 1: Do\n- [x] 1.1 First\n- [?] 1.2 Second\n'),
    argv: ['validate', 'alpha'],
    code: 1,
    stream: 'stdout',
    message: /yardmaster\/tracks\/alpha\/plan\.md:5: unknown task marker "\[\?\]"/,
  },
  {
    name: 'plan.md: a task id used twice',
    base: 'files-only',
    setup: planMd('# Plan: Alpha\n\n## Phase 1: Do\n- [x] 1.1 First\n- [x] 1.1 Again\n'),
    argv: ['validate', 'alpha'],
    code: 1,
    stream: 'stdout',
    message: /yardmaster\/tracks\/alpha\/plan\.md:5: .*1\.1/,
  },
  {
    name: 'plan.md: missing on the branch',
    base: 'files-only',
    setup: (s) => {
      strictPlan(s);
      s.git(['switch', '-q', '-c', 'ym/alpha']);
      s.git(['rm', '-q', 'yardmaster/tracks/alpha/plan.md']);
      s.git(['commit', '-q', '-m', 'drop the plan']);
    },
    argv: ['validate', 'alpha'],
    code: 1,
    stream: 'stdout',
    message: /yardmaster\/tracks\/alpha\/plan\.md not found/,
  },
  {
    name: 'state.db: not a database',
    setup: file('.git/yardmaster/state.db', 'this is not SQLite\n'.repeat(300)),
    argv: ['status'],
    code: 2,
    message: /\.git\/yardmaster\/state\.db/,
  },
];
