import { describe, expect, it } from 'vitest';
import { isAlive, ProcessError, runProcess } from '../../src/proc/run.js';

const node = process.execPath;

describe('runProcess', () => {
  it('captures output and exit codes, and throws a typed error on failure', async () => {
    const ok = await runProcess(node, [
      '-e',
      'process.stdout.write("hi"); process.stderr.write("err")',
    ]);
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'hi', stderr: 'err', timedOut: false });
    const err = await runProcess(node, ['-e', 'console.error("boom"); process.exit(3)']).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProcessError);
    expect((err as ProcessError).exitCodeOfProcess).toBe(3);
    expect((err as ProcessError).message).toContain('exited with code 3');
    expect((err as ProcessError).message).toContain('boom');
    const soft = await runProcess(node, ['-e', 'process.exit(4)'], { reject: false });
    expect(soft.exitCode).toBe(4);
  });

  it('reports a missing program as not found', async () => {
    const err = await runProcess('definitely-not-a-program-xyz', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcessError);
    expect((err as ProcessError).notFound).toBe(true);
  });

  it('passes input on stdin, and stdin is closed otherwise', async () => {
    const r = await runProcess(node, ['-e', 'process.stdin.pipe(process.stdout)'], {
      input: 'abc',
    });
    expect(r.stdout).toBe('abc');
    // Without input, a program that reads stdin to its end (like codex) must not hang.
    const r2 = await runProcess(
      node,
      ['-e', 'let n=0; process.stdin.on("data",d=>n+=d.length).on("end",()=>console.log(n))'],
      { timeoutMs: 5000 },
    );
    expect(r2.stdout.trim()).toBe('0');
  });

  it('kills the whole process group on timeout', async () => {
    // The leader starts a grandchild that would outlive it, prints its pid and hangs.
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(()=>{},1000);`;
    const r = await runProcess(node, ['-e', script], {
      detached: true,
      timeoutMs: 500,
      reject: false,
    });
    expect(r.timedOut).toBe(true);
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 200));
    expect(isAlive(grandchild)).toBe(false);
  });

  it('ends what a detached leader left running when it exits', async () => {
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore' }); c.unref(); console.log(c.pid);`;
    const r = await runProcess(node, ['-e', script], { detached: true, timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    const orphan = Number(r.stdout.trim());
    await new Promise((res) => setTimeout(res, 200));
    expect(isAlive(orphan)).toBe(false);
  });

  it('keeps a bounded head or tail of huge output and streams every byte', async () => {
    let streamed = 0;
    const big = `process.stdout.write('a'.repeat(3e6) + 'END')`;
    const tail = await runProcess(node, ['-e', big], {
      maxBuffer: 1000,
      keepTail: true,
      onOutput: (b) => (streamed += b.length),
    });
    expect(streamed).toBe(3e6 + 3);
    expect(tail.stdout.endsWith('END')).toBe(true);
    expect(tail.stdout.length).toBeLessThan(1100);
    expect(tail.stdout).toMatch(/^\[\.\.\. 2999003 bytes not kept\]/);
    const head = await runProcess(node, ['-e', big], { maxBuffer: 1000 });
    expect(head.stdout.startsWith('aaaa')).toBe(true);
    expect(head.stdout).toContain('bytes not kept');
  });

  it('stops on abort', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runProcess(node, ['-e', 'setInterval(()=>{},1000)'], {
      signal: ac.signal,
      detached: true,
      reject: false,
    });
    expect(r.exitCode).toBeNull();
    expect(r.signal).toBe('SIGTERM');
  });
});

describe('orphans of a run', () => {
  it('finds processes by their run marks, only in their own repository, and kills their group', async () => {
    const { spawn } = await import('node:child_process');
    const { killRunOrphans, processesOfRuns, runMarks } = await import('../../src/proc/orphans.js');
    const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {
      env: { ...process.env, ...runMarks('/repos/a/.git/yardmaster', 987654321) },
      detached: true,
      stdio: 'ignore',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(processesOfRuns('/repos/a/.git/yardmaster', [987654321])).toEqual([child.pid]);
    expect(processesOfRuns('/repos/a/.git/yardmaster', [123])).toEqual([]);
    // Run ids count per repository: run 987654321 of another repository is another process.
    expect(processesOfRuns('/repos/b/.git/yardmaster', [987654321])).toEqual([]);
    expect(killRunOrphans('/repos/b/.git/yardmaster', [987654321])).toBe(0);
    expect(isAlive(child.pid!)).toBe(true);
    expect(killRunOrphans('/repos/a/.git/yardmaster', [987654321])).toBe(1);
    await new Promise((r) => child.on('exit', r));
    expect(isAlive(child.pid!)).toBe(false);
  });
});
