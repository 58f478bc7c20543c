// `ym demo`: the whole pipeline offline, as the README's main job.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { makeTempDir, type TempDir } from '../helpers/repo.js';
import { runCli } from '../helpers/cli.js';

let tmp: TempDir | undefined;
afterEach(() => tmp?.cleanup());

describe('demo', () => {
  it('plans, implements and merges five tracks; the tests pass on main', async () => {
    tmp = makeTempDir('base');
    const dir = path.join(tmp.root, 'demo');
    const r = await runCli(['demo', dir, '--json'], { env: tmp.env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as {
      allMerged: boolean;
      tracks: { id: string; state: string; attempts: number }[];
      history: string;
      testsOnMain: { ok: boolean };
    };
    expect(s.allMerged).toBe(true);
    const attempts = Object.fromEntries(s.tracks.map((t) => [t.id, t.attempts]));
    // truncate failed its tests once and was fixed from the feedback; capitalize and slugify
    // change the same line, so whichever lands second was rebased with the conflict resolved.
    expect(attempts.truncate).toBe(2);
    expect(attempts.slugify! + attempts.capitalize!).toBe(3);
    expect(s.testsOnMain.ok).toBe(true);
    expect(s.history).toContain('feat(strings): add pad()');
    expect(r.stderr).toMatch(/docs queued/);
  }, 150_000);

  it('refuses a directory that is not empty', async () => {
    tmp = makeTempDir('base');
    tmp.write('something.txt', 'keep me\n');
    const r = await runCli(['demo', tmp.dir], { env: tmp.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
    expect(tmp.read('something.txt')).toBe('keep me\n');
  });
});
