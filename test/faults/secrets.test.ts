// Secrets: every command runs with GITHUB_TOKEN and GITLAB_TOKEN set to marker values and with
// --debug, including merges through the fake GitHub and GitLab and commands that fail. Then no
// marker may appear in any output, in state.db (raw bytes), in any file under .git/yardmaster,
// in any file written in the repository, its worktrees or the demo, in any commit, or in what
// the forge received (pull/merge request titles, bodies, comments).
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { FakeForge } from '../helpers/fake-forge/index.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';
import { code, recordReliability } from '../helpers/reliability.js';

const GH = 'ghp_MARKER_5ecret_github_7f3a91';
const GL = 'glpat-MARKER-5ecret-gitlab-0c2e';
const MARKERS = [GH, GL];

let repo: TestRepo | undefined;
let forge: FakeForge | undefined;
afterEach(async () => {
  await forge?.close();
  repo?.cleanup();
});

/** Every file under `dir`, skipping git's object stores (compressed; history is read with git). */
function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      if (!(name === 'objects' && (dir.endsWith('.git') || dir.endsWith('forge.git'))))
        walk(p, out);
    } else if (st.isFile()) out.push(p);
  }
  return out;
}

describe('secrets', () => {
  it('no command leaks GITHUB_TOKEN or GITLAB_TOKEN into output, files, history or the forge', async () => {
    repo = makeRepo();
    const r = repo;
    forge = await FakeForge.start({ token: GH, root: r.root, env: r.env });
    const f = forge;
    r.git(['remote', 'add', 'origin', f.bare.url]);
    r.git(['push', '-q', 'origin', 'main']);
    const results: { args: string[]; result: CliResult }[] = [];
    const ym = async (args: string[], code: number) => {
      const result = await runCli(['--debug', '--cwd', r.dir, ...args], {
        env: { ...r.env, GITHUB_TOKEN: GH, GITLAB_TOKEN: GL },
        timeoutMs: 120_000,
      });
      expect(result.code, `ym ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(code);
      results.push({ args, result });
      return result;
    };

    await ym(['setup', '--yes'], 0);
    const wait = { pollIntervalSec: 0.05, checkStartTimeoutSec: 5, checksTimeoutSec: 30 };
    const config = JSON.parse(r.read('yardmaster.json')) as Record<string, unknown>;
    Object.assign(config, {
      agent: 'scripted',
      retry: { backoffMs: 10, maxBackoffMs: 50 },
      // A check that would print the tokens if it could see them (it must not).
      checks: [
        {
          name: 'env',
          run: [
            process.execPath,
            '-e',
            'console.log("tokens:", process.env.GITHUB_TOKEN, process.env.GITLAB_TOKEN)',
          ],
        },
      ],
      github: { owner: f.github.owner, repo: f.github.repo, baseUrl: f.githubUrl, ...wait },
      gitlab: { host: f.gitlabHost, project: f.gitlab.project, ...wait },
    });
    r.write('yardmaster.json', `${JSON.stringify(config, null, 2)}\n`);
    await ym(['config', 'check'], 0);
    await ym(['trust'], 0);
    await ym(['new-track', 'Add a greeting', '--id', 'greet', '--yes'], 0);
    writeFileSync(
      path.join(r.root, 'plan.yaml'),
      'objective: Say hello and goodbye\ntracks:\n  - {id: hello, title: Say hello}\n  - {id: bye, title: Say goodbye}\n',
    );
    await ym(
      ['plan', 'Say hello and goodbye', '--from', path.join(r.root, 'plan.yaml'), '--yes'],
      0,
    );
    r.commit('set up yardmaster with three tracks');
    r.git(['push', '-q', 'origin', 'main']);
    await ym(['hooks', 'install'], 0);
    await ym(['implement', '--no-merge', '--yes'], 0);
    await ym(['status', '--json'], 0);
    await ym(['validate', 'greet', '--yes'], 0);
    await ym(['merge', 'greet', '--provider', 'github', '--yes'], 0);
    f.token = GL;
    await ym(['merge', 'hello', '--provider', 'gitlab', '--yes'], 0);
    // Failing commands: the forge now refuses GITHUB_TOKEN (401), an unknown track, a bad agent.
    const refused = await ym(['merge', 'bye', '--provider', 'github', '--yes'], 2);
    expect(refused.stderr).toContain('GitHub rejected the token in GITHUB_TOKEN');
    await ym(['status', 'ghost'], 2);
    await ym(['implement', '--agent', 'nope'], 2);
    await ym(['doctor'], 0);
    await ym(['hooks', 'uninstall'], 0);
    await ym(['demo', path.join(r.root, 'demo')], 0);

    // 1. Output of every command.
    for (const { args, result } of results) {
      for (const m of MARKERS)
        expect(result.stdout + result.stderr, `ym ${args.join(' ')}`).not.toContain(m);
    }
    // 2. Every file: state.db and its WAL, logs, prompts, caches, the repository, the worktrees,
    //    the forge's bare repository and the demo. The check's log proves it ran without tokens.
    const files = walk(r.root);
    const stateFiles = files.filter((p) =>
      p.includes(`${path.sep}.git${path.sep}yardmaster${path.sep}`),
    );
    expect(stateFiles.some((p) => p.endsWith('state.db'))).toBe(true);
    expect(files.some((p) => p.includes('repo.yardmaster'))).toBe(true);
    const checkLogs = stateFiles.filter(
      (p) => p.endsWith('.log') && readFileSync(p, 'utf8').includes('tokens:'),
    );
    expect(checkLogs.length).toBeGreaterThan(0);
    for (const p of checkLogs)
      expect(readFileSync(p, 'utf8')).toContain('tokens: undefined undefined');
    for (const p of files)
      for (const m of MARKERS)
        expect(readFileSync(p).includes(m), `${p} holds a token`).toBe(false);
    // 3. Every commit and note of the repository and of the forge's bare repository.
    for (const dir of [r.dir, f.bare.dir, path.join(r.root, 'demo')]) {
      const history = execFileSync('git', ['log', '--all', '-p', '--format=%H%n%an %ae%n%B'], {
        cwd: dir,
        env: r.env,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      for (const m of MARKERS) expect(history.includes(m), `history of ${dir}`).toBe(false);
    }
    // 4. What the forge was sent: pull/merge requests, their bodies and comments.
    const sent = JSON.stringify({ github: f.github, gitlab: f.gitlab });
    expect(f.github.pulls.length + f.gitlab.mrs.length).toBeGreaterThan(1);
    for (const m of MARKERS) expect(sent).not.toContain(m);

    for (const { args, result } of results) {
      recordReliability({
        suite: 'secrets',
        tried: `${code(`ym --debug ${args.join(' ').replace(r.root, '<tmp>')}`)} with GITHUB_TOKEN and GITLAB_TOKEN set to markers`,
        outcome: `exit ${String(result.code)}; no marker in stdout or stderr`,
        nothingLost: 'no token written anywhere',
      });
    }
    recordReliability({
      suite: 'secrets',
      tried: `after all ${results.length} commands: searched ${files.length} files (state.db raw bytes, logs, prompts, repository, worktrees, forge, demo), all history, the forge's pull/merge requests`,
      outcome:
        'no marker found; the checks ran without the tokens (their log shows "tokens: undefined undefined")',
      nothingLost: 'no token written anywhere',
    });
  }, 300_000);
});
