// `demo [DIR]`: the whole pipeline, offline, in a new repository: a small project with a real
// test suite, five tracks planned from a file, the built-in scripted agent, implement with the
// merge queue, and a summary of what was merged, how long it took and the final history.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { createGit } from '../git/git.js';
import { createContext } from '../cli/runner.js';
import { setup } from '../setup/setup.js';
import { plan } from '../planning/plan.js';
import { implement } from '../engine/implement.js';
import { trackDocsPath } from '../tracks/files.js';
import { DEMO_FILES, DEMO_TRACKS } from './project.js';

export interface DemoOptions {
  dir?: string | undefined;
}

export async function demo(opts: DemoOptions, ctx: Context): Promise<ExitCodeValue> {
  const dir = prepareDir(ctx, opts.dir);
  const started = ctx.clock.now().getTime();
  const git = createGit(ctx.run, dir);
  const say = (text: string) => (ctx.json ? ctx.out.info(text) : ctx.out.line(text));
  say(ctx.out.c.bold(`yardmaster demo in ${dir}`));

  // A project with a real test suite; git config is local to this repository only.
  await git(['init', '--quiet', '--initial-branch=main']);
  for (const [k, v] of [
    ['user.name', 'Yardmaster Demo'],
    ['user.email', 'demo@yardmaster.invalid'],
    ['commit.gpgSign', 'false'],
    ['gc.auto', '0'],
  ]) {
    await git(['config', k!, v!]);
  }
  for (const [rel, text] of Object.entries(DEMO_FILES)) write(dir, rel, text);
  await git(['add', '--all']);
  await git(['commit', '--quiet', '-m', 'Initial project: demo-strings']);

  const child = createContext(
    { cwd: dir, json: false, debug: ctx.debug, yes: true },
    {
      env: ctx.env,
      stdout: ctx.json ? ctx.out.stderr : ctx.out.stdout,
      stderr: ctx.out.stderr,
      stdinIsTTY: ctx.interactive,
      run: ctx.run,
    },
    ctx.signal,
  );
  try {
    say('\n$ ym setup --yes');
    await setup({ fromConductor: false, hooks: false, force: false }, child.ctx);
    write(dir, 'yardmaster.json', `${JSON.stringify(DEMO_CONFIG, null, 2)}\n`);
    const planFile = path.join(path.dirname(dir), `${path.basename(dir)}.tracks.json`);
    writeFileSync(
      planFile,
      JSON.stringify(
        {
          objective: 'Add string utilities',
          tracks: DEMO_TRACKS.map(({ script: _script, ...t }) => t),
        },
        null,
        2,
      ),
    );
    say(`\n$ ym plan "Add string utilities" --from ${planFile} --yes`);
    await plan({ objective: 'Add string utilities', from: planFile }, child.ctx);
    rmSync(planFile, { force: true });
    for (const t of DEMO_TRACKS)
      write(
        dir,
        `${trackDocsPath(t.id)}/agent-script.json`,
        `${JSON.stringify(t.script, null, 2)}\n`,
      );
    await git(['add', '--all']);
    await git(['commit', '--quiet', '-m', 'Plan: string utilities in five tracks']);

    say('\n$ ym implement --concurrency 3');
    const code = await implement({ ids: [], merge: true, plain: !ctx.interactive }, child.ctx);
    const summary = await summarize(ctx, dir, ctx.clock.now().getTime() - started, child.ctx);
    if (ctx.json) ctx.out.json(summary);
    else printSummary(ctx, summary);
    return ctx.signal.aborted
      ? ExitCode.interrupted
      : code === ExitCode.ok && summary.allMerged
        ? ExitCode.ok
        : ExitCode.failed;
  } finally {
    for (const fn of child.cleanups.reverse()) await fn();
  }
}

const DEMO_CONFIG = {
  target: 'main',
  agent: 'scripted',
  concurrency: 3,
  attempts: 3,
  retry: { backoffMs: 200, maxBackoffMs: 1000 },
  checks: [{ name: 'test', run: ['node', '--test'], timeoutSec: 120 }],
  merge: { mode: 'auto', strategy: 'rebase', provider: 'local', onConflict: 'agent' },
};

function prepareDir(ctx: Context, wanted: string | undefined): string {
  if (wanted === undefined) return mkdtempSync(path.join(os.tmpdir(), 'ym-demo-'));
  const dir = path.resolve(ctx.cwd, wanted);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`${dir} is a file; the demo needs a new or empty directory.`, {
      hint: 'Pass a new directory, or none to use a temporary one.',
    });
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UsageError(`${dir} is not empty; the demo needs a new or empty directory.`, {
      hint: 'Pass a new directory, or none to use a temporary one.',
    });
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

interface DemoSummary {
  dir: string;
  durationMs: number;
  allMerged: boolean;
  tracks: {
    id: string;
    state: string;
    attempts: number;
    mergedSha: string | null;
    reason: string | null;
  }[];
  history: string;
  testsOnMain: { ok: boolean; output: string };
}

async function summarize(
  ctx: Context,
  dir: string,
  durationMs: number,
  child: Context,
): Promise<DemoSummary> {
  const store = await child.state();
  const tracks = store.listTracks().map((t) => ({
    id: t.id,
    state: t.state,
    attempts: t.attempt,
    mergedSha: t.mergedSha,
    reason: t.reason,
  }));
  const history = (
    await ctx.run('git', ['log', '--oneline', '--graph', '--decorate=no', 'main'], { cwd: dir })
  ).stdout.trimEnd();
  const tests = await ctx.run(process.execPath, ['--test'], {
    cwd: dir,
    reject: false,
    timeoutMs: 120_000,
  });
  return {
    dir,
    durationMs,
    allMerged: tracks.every((t) => t.state === 'merged'),
    tracks,
    history,
    testsOnMain: {
      ok: tests.exitCode === 0,
      output: `${tests.stdout}${tests.stderr}`.trim().split('\n').slice(-8).join('\n'),
    },
  };
}

function printSummary(ctx: Context, s: DemoSummary): void {
  const { c } = ctx.out;
  ctx.out.line(`\n${c.bold('Summary')} (${(s.durationMs / 1000).toFixed(1)} s)`);
  for (const t of s.tracks) {
    const mark = t.state === 'merged' ? c.green('✓') : c.red('✗');
    ctx.out.line(
      `  ${mark} ${t.id.padEnd(11)} ${t.state.padEnd(9)} attempts ${t.attempts}${t.mergedSha ? `  ${t.mergedSha.slice(0, 8)}` : ''}${t.reason && t.state !== 'merged' ? `  ${t.reason}` : ''}`,
    );
  }
  ctx.out.line(`\n${c.bold('History of main')}\n${s.history}`);
  ctx.out.line(
    `\n${c.bold('Tests on main')}: ${s.testsOnMain.ok ? c.green('pass') : c.red('FAIL')}`,
  );
  ctx.out.line(`\nThe repository is at ${s.dir}; try: ym --cwd ${s.dir} status`);
}
