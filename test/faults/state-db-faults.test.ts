// state.db under stress: locked by another process for longer than the busy timeout, and the
// disk full while yardmaster writes it. Each time: one clear message (exit 1), no stack trace,
// nothing half-written, and once the cause is gone the same commands finish the work.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';
import { makeProject, type Project } from '../helpers/tracks.js';
import { errorMessage, recordReliability } from '../helpers/reliability.js';

let project: Project | undefined;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
  project?.cleanup();
  project = undefined;
});

const BETTER_SQLITE3 = createRequire(path.join(REPO_ROOT, 'package.json')).resolve(
  'better-sqlite3',
);

/** Every row of every table, as text: what "nothing half-written" is compared on. */
function dump(dbFile: string): string {
  const script = `
    const Database = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new Database(${JSON.stringify(dbFile)}, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    const out = {};
    for (const t of tables) out[t] = db.prepare('SELECT * FROM "' + t + '"').all();
    process.stdout.write(JSON.stringify(out));`;
  return execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
}

/** A separate process holding an exclusive write transaction on `dbFile`, with a row written in it. */
async function holdExclusive(dbFile: string): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new Database(${JSON.stringify(dbFile)});
    db.exec('BEGIN EXCLUSIVE');
    db.prepare("INSERT INTO meta (key, value) VALUES ('half-written', 'by the lock holder')").run();
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited ${String(code)}`)));
  });
  return child;
}

function states(stdout: string): string[] {
  return (JSON.parse(stdout) as { tracks: { state: string }[] }).tracks.map((t) => t.state);
}

describe('state.db faults', () => {
  it('state.db locked by another process longer than the busy timeout: a clear exit 1, nothing written; works once released', async () => {
    project = await makeProject({
      tracks: [{ id: 'a' }, { id: 'b' }],
      config: { agent: 'scripted' },
    });
    const p = project;
    // a is ready (waiting for the merge queue), b still planned: both commands have work to write.
    const first = await p.ym(['implement', 'a', '--no-merge']);
    expect(first.code, first.stderr).toBe(0);
    const dbFile = path.join(p.repo.dir, '.git', 'yardmaster', 'state.db');
    const before = dump(dbFile);
    const main = p.repo.git(['rev-parse', 'main']).trim();
    const holder = await holdExclusive(dbFile);
    const started = Date.now();
    const [implement, merge, status] = await Promise.all([
      p.ym(['implement']),
      p.ym(['merge']),
      p.ym(['status', '--json']),
    ]);
    const elapsed = Date.now() - started;
    for (const r of [implement, merge, status]) {
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /state\.db is locked: another yardmaster process holds it and did not release it within 5 s/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at |unexpected failure/);
    }
    expect(elapsed).toBeGreaterThanOrEqual(5000); // they waited the busy timeout first
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    // Nothing half-written: neither the failed commands' writes nor the holder's uncommitted row.
    expect(dump(dbFile)).toBe(before);
    expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(main);
    const again = await p.ym(['implement', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(states(again.stdout)).toEqual(['merged', 'merged']);
    expect((await p.ym(['doctor'])).code).toBe(0);
    recordReliability({
      suite: 'state.db faults',
      tried:
        '`state.db` held by another process in an exclusive write transaction (BEGIN EXCLUSIVE) longer than the 5 s busy timeout, while `ym implement` (one track planned), `ym merge` (one track ready) and `ym status` run',
      outcome: `all three exit 1 after waiting 5 s: "${errorMessage(implement.stderr)}" (status too: it first syncs the track files into state.db); once released, implement merges both tracks`,
      nothingLost:
        "every row of state.db identical before and after (the holder's uncommitted row never appears); main untouched; `ym doctor` clean",
    });
  }, 120_000);

  // A tmpfs of a few hundred kB under the state folder, filled up: needs mount(2) (root).
  const CAN_MOUNT = process.platform === 'linux' && process.getuid?.() === 0 && tryMount();
  it.skipIf(!CAN_MOUNT)(
    'disk full while writing state.db (a full tmpfs under .git/yardmaster): a clear exit 1, consistent state, resumable',
    async () => {
      project = await makeProject({
        tracks: [{ id: 'a' }, { id: 'b' }],
        config: { agent: 'scripted' },
      });
      const p = project;
      const stateDir = path.join(p.repo.dir, '.git', 'yardmaster');
      const dbFile = path.join(stateDir, 'state.db');
      const aside = path.join(p.repo.root, 'state-aside');
      cpSync(stateDir, aside, { recursive: true });
      rmSync(stateDir, { recursive: true });
      mkdirSync(stateDir);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', stateDir]);
      cleanups.push(() => execFileSync('umount', ['-l', stateDir]));
      cpSync(aside, stateDir, { recursive: true });
      const before = dump(dbFile);
      const main = p.repo.git(['rev-parse', 'main']).trim();
      const filler = path.join(stateDir, 'filler');
      fill(filler);
      const r = await p.ym(['implement']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        /Cannot write \S+state\.db: the disk is full; nothing of the failed change was saved/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at |unexpected failure/);
      expect(p.repo.git(['rev-parse', 'main']).trim()).toBe(main);
      rmSync(filler);
      // Consistent: every row as before (the failed transaction rolled back), doctor clean.
      expect(dump(dbFile)).toBe(before);
      const doctor = await p.ym(['doctor']);
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      const again = await p.ym(['implement', '--json']);
      expect(again.code, again.stderr).toBe(0);
      expect(states(again.stdout)).toEqual(['merged', 'merged']);
      recordReliability({
        suite: 'state.db faults',
        tried:
          'disk full while writing the database (state.db on a 4 MB tmpfs filled to the last byte), then `ym implement`',
        outcome: `exit 1: "${errorMessage(r.stderr)}"; after space is freed, \`ym doctor\` is clean and implement merges both tracks`,
        nothingLost:
          'every row of state.db identical before and after (the failed write rolled back whole); main untouched',
      });
    },
    120_000,
  );
});

function tryMount(): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'ym-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `file` until the filesystem has no byte left. */
function fill(file: string): void {
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeFileSync(file, chunk, { flag: 'a' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  try {
    for (;;) writeFileSync(file, Buffer.alloc(1), { flag: 'a' });
  } catch {
    // full to the byte
  }
}
