// The local provider: compare-and-swap landing, and a target read without git only while its
// loose ref still says what the last landing wrote.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ConfigSchema } from '../../src/config/schema.js';
import { createGit } from '../../src/git/git.js';
import { runProcess, type ProcessRunner } from '../../src/proc/run.js';
import type { CheckReport } from '../../src/checks/types.js';
import { LocalProvider } from '../../src/vcs/local.js';
import { makeRepo, type TestRepo } from '../helpers/repo.js';

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

describe('LocalProvider', () => {
  it('lands by compare-and-swap and notices a target moved by anyone else', async () => {
    const r = (repo = makeRepo());
    const calls: string[][] = [];
    const run: ProcessRunner = (file, args, options = {}) => {
      calls.push([...args]);
      return runProcess(file, args, {
        ...options,
        env: { ...r.env, ...options.env },
        extendEnv: false,
      });
    };
    const git = createGit(run, r.dir);
    const provider = new LocalProvider(
      git,
      ConfigSchema.parse({}),
      'origin',
      path.join(r.dir, '.git'),
    );
    const commit = (name: string) => {
      r.git(['switch', '-q', '-c', name, 'main']);
      r.write(`${name}.txt`, `${name}\n`);
      const sha = r.commit(name);
      r.git(['switch', '-q', 'main']);
      return sha;
    };
    const report: CheckReport = {
      ok: true,
      results: [],
      headSha: '',
      mergeBase: null,
      durationMs: 0,
      interrupted: false,
    };
    const land = (sha: string, expectedTarget: string) =>
      provider.land({
        trackId: 't',
        title: 't',
        branch: 'b',
        sha,
        expectedTarget,
        strategy: 'rebase',
        report,
        description: '',
        signal: new AbortController().signal,
      });
    const main = () => r.git(['rev-parse', 'main']).trim();

    const start = await provider.syncTarget('main');
    expect(start).toBe(main());
    const a = commit('a');
    expect(await land(a, start)).toEqual({ kind: 'landed', targetSha: a });
    // Where the landing put it: no git process.
    calls.length = 0;
    expect(await provider.syncTarget('main')).toBe(a);
    expect(calls).toEqual([]);
    // Moved by someone else: git is asked, and a landing on the old target is refused.
    r.git(['update-ref', 'refs/heads/main', start]);
    expect(await provider.syncTarget('main')).toBe(start);
    expect((await land(commit('b'), a)).kind).toBe('target-moved');
    expect(main()).toBe(start);
    // Packed (no loose ref file): git is asked.
    const c = commit('c');
    expect(await land(c, start)).toEqual({ kind: 'landed', targetSha: c });
    r.git(['pack-refs', '--all']);
    calls.length = 0;
    expect(await provider.syncTarget('main')).toBe(c);
    expect(calls).toHaveLength(1);
  });
});
