// Injection and paths: track ids, titles, objectives, branch names and file names carrying shell
// metacharacters, "..", newlines, leading dashes or unicode reach no shell and no path outside
// the repository or its worktree root. A shell that ran any payload would create a file named
// PWNED (or delete the sentinel directory) somewhere under the sandbox: none may appear. Valid
// text round-trips intact; invalid input is refused with exit 2 and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/tracks.js';
import { code, commandLine, errorMessage, recordReliability } from '../helpers/reliability.js';
import {
  buildTemplates,
  makeSandbox,
  removeTemplates,
  runCase,
  type BadInputCase,
  type Sandbox,
} from './harness.js';

const SHELL: Record<string, string> = {
  'command substitution': '$(touch PWNED)',
  backticks: '`touch PWNED`',
  'a command separator': 'x; rm -rf sentinel; touch PWNED',
  'a pipe': 'x | touch PWNED',
  'an and-list': 'x && touch PWNED',
  'a leading dash': '--upload-pack=touch PWNED',
  unicode: 'Añadir ✓ 日本語 — naïve café 🚂',
};

beforeAll(buildTemplates, 60_000);
afterAll(removeTemplates);

/** Files named PWNED anywhere under the sandbox, and whether the sentinel directory survived. */
function sideEffects(s: Sandbox): { pwned: string[]; sentinel: boolean } {
  const pwned: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (name === 'PWNED') pwned.push(p);
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory() && name !== 'objects') walk(p);
    }
  };
  walk(s.root);
  return {
    pwned,
    sentinel:
      existsSync(path.join(s.repo, 'sentinel')) && existsSync(path.join(s.root, 'sentinel')),
  };
}

async function inSandbox(
  fn: (s: Sandbox, ym: (args: string[]) => ReturnType<typeof runCli>) => Promise<string>,
  vector: string,
): Promise<void> {
  const s = makeSandbox('project');
  try {
    for (const dir of [path.join(s.repo, 'sentinel'), path.join(s.root, 'sentinel')])
      mkdirSync(dir);
    writeFileSync(path.join(s.repo, 'sentinel', 'keep'), 'x');
    const outcome = await fn(s, (args) => runCli(args, { cwd: s.repo, timeoutMs: 120_000 }));
    expect(sideEffects(s)).toEqual({ pwned: [], sentinel: true });
    recordReliability({
      suite: 'injection and paths',
      tried: vector,
      outcome,
      nothingLost: 'no payload ran (no PWNED file, sentinel kept), nothing outside the sandbox',
    });
  } finally {
    s.cleanup();
  }
}

describe('the detector', () => {
  it("sees a payload that does run: a check string is the user's own shell command", async () => {
    const s = makeSandbox('files-only');
    try {
      s.editJson('yardmaster.json', (c) =>
        Object.assign(c, { checks: [{ name: 'shell', run: 'touch PWNED' }] }),
      );
      s.git(['switch', '-q', '-c', 'ym/alpha']);
      await runCli(['validate', 'alpha', '--yes'], { cwd: s.repo });
      expect(sideEffects(s).pwned).toEqual([path.join(s.repo, 'PWNED')]);
    } finally {
      s.cleanup();
    }
  });
});

const trackJson = (s: Sandbox, id: string) =>
  JSON.parse(s.read(`yardmaster/tracks/${id}/track.json`)) as {
    id: string;
    title: string;
    objective?: string;
  };

describe('titles round-trip intact', () => {
  it.each(Object.entries(SHELL))('a title with %s', async (what, title) => {
    await inSandbox(
      async (s, ym) => {
        const r = await ym(['new-track', '--json', '--yes', '--', title]);
        expect(r.code, r.stderr).toBe(0);
        const id = (JSON.parse(r.stdout) as { track: { id: string } }).track.id;
        expect(id).toMatch(/^[a-z0-9][a-z0-9-]{0,47}$/);
        expect(trackJson(s, id).title).toBe(title);
        expect(s.read(`yardmaster/tracks/${id}/plan.md`)).toContain(`# Plan: ${title}\n`);
        const status = JSON.parse((await ym(['status', '--json'])).stdout) as {
          tracks: { id: string; title: string }[];
        };
        expect(status.tracks.find((t) => t.id === id)?.title).toBe(title);
        return `exit 0; the title is stored and shown as written; id "${id}"`;
      },
      `title with ${what}: ${code(JSON.stringify(title))}`,
    );
  });
});

describe('objectives round-trip intact', () => {
  it.each(Object.entries(SHELL))(
    'an objective with %s, from a plan file',
    async (what, objective) => {
      await inSandbox(
        async (s, ym) => {
          s.write('tracks.yaml', 'tracks:\n  - {id: gamma, title: Gamma}\n');
          const r = await ym(['plan', '--from', 'tracks.yaml', '--yes', '--', objective]);
          expect(r.code, r.stderr).toBe(0);
          expect(trackJson(s, 'gamma').objective).toBe(objective);
          return 'exit 0; the objective is stored as written';
        },
        `objective with ${what}: ${code(JSON.stringify(objective))}`,
      );
    },
  );

  it('an objective with shell metacharacters given to the planner agent, also as an argv placeholder', async () => {
    const objective = '$(touch PWNED); `touch PWNED` | touch PWNED && touch PWNED';
    await inSandbox(
      async (s, ym) => {
        s.editJson('yardmaster.json', (c) =>
          Object.assign(c, {
            agent: 'planbot',
            agents: {
              planbot: {
                command: [
                  process.execPath,
                  path.join(FIXTURES, 'planner-agent.mjs'),
                  'valid',
                  '{promptFile}',
                  '{prompt}',
                ],
              },
            },
          }),
        );
        const r = await ym(['plan', objective, '--yes']);
        expect(r.code, r.stderr).toBe(0);
        expect(trackJson(s, 'slugify').objective).toBe(objective);
        return 'exit 0; the planner got the objective in its prompt and argv, no shell';
      },
      `objective for the planner agent: ${code(JSON.stringify(objective))}`,
    );
  });
});

const refused = (name: string, c: Omit<BadInputCase, 'name' | 'code'>) => ({
  name,
  ...c,
  code: 2 as const,
});
const REFUSED: BadInputCase[] = [
  ...Object.entries(SHELL).map(([what, id]) =>
    refused(`a track id with ${what}`, {
      argv: ['new-track', 'X', '--id', id],
      message: /Invalid --id/,
    }),
  ),
  refused('a track id from a plan file with command substitution', {
    setup: (s) => s.write('p.yaml', 'tracks:\n  - {id: "$(touch PWNED)", title: X}\n'),
    argv: ['plan', '--from', 'p.yaml'],
    message: /tracks\[0\]\.id: must be/,
  }),
  refused('a track id that is ..', {
    argv: ['new-track', 'X', '--id', '..'],
    message: /Invalid --id "\.\.": it has path characters/,
  }),
  refused('a track id with ../', {
    argv: ['implement', '../../etc'],
    message: /Invalid track id "\.\.\/\.\.\/etc"/,
  }),
  refused('a scope with ..', {
    argv: ['new-track', 'X', '--scope', 'src/../../etc'],
    message: /--scope "src\/\.\.\/\.\.\/etc": must not contain "\.\."/,
  }),
  refused('a plan-file scope with ..', {
    setup: (s) => s.write('p.yaml', 'tracks:\n  - {id: x, title: X, scope: [../../home]}\n'),
    argv: ['plan', '--from', 'p.yaml'],
    message: /tracks\[0\]\.scope\[0\]: must not contain "\.\."/,
  }),
  refused('worktrees.copy with ..', {
    setup: (s) =>
      s.editJson('yardmaster.json', (c) =>
        Object.assign(c, { worktrees: { copy: ['../../.ssh/id_rsa'] } }),
      ),
    argv: ['implement'],
    message: /worktrees\.copy\[0\]: must not contain "\.\."/,
  }),
  refused('a title with a newline', {
    argv: ['new-track', 'ok\n$(touch PWNED)'],
    message: /title must be one line/,
  }),
  refused('a track id with a newline', {
    argv: ['new-track', 'X', '--id', 'a\nb'],
    message: /Invalid --id "a\\nb"/,
  }),
  refused('a scope with a newline', {
    argv: ['new-track', 'X', '--scope', 'a\nb'],
    message: /--scope "a\\nb": must not contain NUL or newline/,
  }),
  refused('a plan-file title with a newline', {
    setup: (s) => s.write('p.yaml', 'tracks:\n  - {id: x, title: "a\\n$(touch PWNED)"}\n'),
    argv: ['plan', '--from', 'p.yaml'],
    message: /tracks\[0\]\.title: must be one line/,
  }),
  refused('a track id of "-rf"', {
    argv: ['new-track', 'X', '--id', '-rf'],
    message: /Invalid --id "-rf": it starts with "-"/,
  }),
  refused('a dependency with a leading dash', {
    argv: ['new-track', 'X', '--depends-on', '--upload-pack=touch PWNED'],
    message: /Invalid --depends-on "--upload-pack=touch PWNED"/,
  }),
  refused('a unicode track id', {
    argv: ['new-track', 'X', '--id', 'ünï'],
    message: /Invalid --id "ünï"/,
  }),
  ...['../', '-x', 'ym /', '$(touch PWNED)/'].map((prefix) =>
    refused(`a branchPrefix of ${JSON.stringify(prefix)}`, {
      setup: (s) =>
        s.editJson('yardmaster.json', (c) => Object.assign(c, { branchPrefix: prefix })),
      argv: ['implement'],
      message: /branchPrefix: not a valid branch prefix/,
    }),
  ),
  refused('a target that is a git option', {
    setup: (s) =>
      s.editJson('yardmaster.json', (c) =>
        Object.assign(c, { target: '--upload-pack=touch PWNED' }),
      ),
    argv: ['implement'],
    message: /target: not a valid branch name: it starts with "-"/,
  }),
];

describe('refused with exit 2, nothing changed', () => {
  it.each(REFUSED.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await inSandbox(
      async (s) => {
        const r = await runCase(c, s);
        return `exit 2: ${errorMessage(r.stderr)}`;
      },
      `${c.name}: ${code(`ym ${commandLine(c.argv)}`)}`,
    );
  });
});

describe('file names', () => {
  it.each(Object.entries(SHELL))('a --spec-file named with %s', async (what, payload) => {
    await inSandbox(
      async (s, ym) => {
        const name = `${payload}.md`;
        s.write(name, `Spec from a file named ${payload}\n`);
        const r = await ym(['new-track', 'Named spec', '--id', 'named', '--spec-file', name]);
        expect(r.code, r.stderr).toBe(0);
        expect(s.read('yardmaster/tracks/named/spec.md')).toContain(
          `Spec from a file named ${payload}`,
        );
        return 'exit 0; the file was read by name';
      },
      `--spec-file named ${code(JSON.stringify(`${payload}.md`))}`,
    );
  });
});

describe('through the whole pipeline', () => {
  it('titles and agent-written file names with every payload are committed, checked and merged intact', async () => {
    const names = [
      ...Object.values(SHELL).map((p) => `${p}.txt`),
      '-rf',
      'new\nline.txt',
      'sub dir/with space.txt',
    ];
    await inSandbox(async (s, ym) => {
      s.editJson('yardmaster.json', (c) => Object.assign(c, { merge: { strategy: 'squash' } }));
      const tracks = Object.values(SHELL).map((title, i) => ({ id: `inj${i}`, title }));
      s.write('p.json', JSON.stringify({ tracks }));
      expect((await ym(['plan', '--from', 'p.json', '--yes'])).code).toBe(0);
      const files = Object.fromEntries(names.map((n) => [n, `${n}\n`]));
      s.write(
        'yardmaster/tracks/inj0/agent-script.json',
        JSON.stringify({ attempts: [{ files, tick: 'all' }] }),
      );
      s.git(['add', '-A']);
      s.git(['commit', '-q', '-m', 'plan the injection tracks']);
      const r = await ym(['implement', '--json', '--yes']);
      expect(r.code, r.stderr).toBe(0);
      const run = JSON.parse(r.stdout) as {
        tracks: { id: string; state: string; worktree: string | null }[];
      };
      expect(run.tracks.map((t) => t.state)).toEqual(run.tracks.map(() => 'merged'));
      const worktrees = path.join(s.root, 'repo.yardmaster');
      for (const t of run.tracks)
        if (t.worktree) expect(t.worktree.startsWith(`${worktrees}/`), t.worktree).toBe(true);
      const onMain = s.git(['ls-tree', '-r', '-z', '--name-only', 'main']).split('\0');
      for (const n of names) expect(onMain, JSON.stringify(n)).toContain(n);
      for (const n of names) expect(readFileSync(path.join(s.repo, n), 'utf8')).toBe(`${n}\n`);
      const subjects = s.git(['log', '--format=%s', 'main']).split('\n');
      for (const t of tracks) expect(subjects).toContain(`${t.title} (${t.id})`);
      return `exit 0; ${tracks.length} tracks merged with their titles as commit subjects; ${names.length} file names intact on main`;
    }, 'implement + squash merge of tracks titled with every payload, an agent writing files named with them, `-rf`, a newline and spaces');
  }, 180_000);
});
