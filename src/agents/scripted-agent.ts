// The built-in `scripted` agent: deterministic, offline, for `demo`, tests and benchmarks. It
// starts once per track, so it is built alone into dist/agents/scripted-agent.cjs and imports
// only what it uses (no chunk shared with the CLI). It follows the agent contract (YM_*
// environment, cwd = worktree) and does what the track's `agent-script.json` says for the
// current attempt; without a script it ticks every task of plan.md and commits that.
//
// agent-script.json: { "attempts": [ { "sleepMs"?, "files"?: { path: content }, "delete"?: [path],
//   "tick"?: "all" | ["1.1"], "commit"?: "message", "trailers"?: { "Yardmaster-Task": "1.2" },
//   "commits"?: [ { "files"?, "delete"?, "tick"?, "message", "trailers"? } ],
//   "exit"?: number, "needsFeedback"?: true, "rebase"?: { "resolve": { path: content } } } ] }
// `rebase` rebases the branch onto $YM_TARGET first, writing `resolve` for conflicting files.
// `commits` makes one commit each, in order, after the step's own files and commit (one commit
// per task, with its `Yardmaster-Task` trailer). The last entry is reused for later attempts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { allTasks, parsePlan, setTaskMarker } from '../core/plan-md.js';

interface Change {
  files?: Record<string, string>;
  delete?: string[];
  tick?: 'all' | string[];
  trailers?: Record<string, string>;
}

interface Step extends Change {
  rebase?: { resolve?: Record<string, string> };
  sleepMs?: number;
  commit?: string;
  commits?: (Change & { message: string })[];
  exit?: number;
  needsFeedback?: boolean;
}

function main(): number {
  const trackId = required('YM_TRACK_ID');
  const trackDir = required('YM_TRACK_DIR');
  const attempt = Number(required('YM_ATTEMPT'));
  const scriptFile = path.join(trackDir, 'agent-script.json');
  const script = existsSync(scriptFile)
    ? (JSON.parse(readFileSync(scriptFile, 'utf8')) as { attempts?: Step[] })
    : {};
  const steps = script.attempts ?? [];
  const step: Step = steps.length
    ? steps[Math.min(attempt, steps.length) - 1]!
    : { tick: 'all', commit: `chore: complete the plan of ${trackId}` };
  console.log(`scripted agent: track ${trackId}, attempt ${attempt}`);
  if (step.needsFeedback) {
    const fb = process.env.YM_FEEDBACK_FILE;
    if (!fb || !existsSync(fb)) {
      console.error('scripted agent: expected a feedback file on this attempt');
      return 3;
    }
    console.log(`read feedback: ${readFileSync(fb, 'utf8').split('\n')[0]}`);
  }
  if (step.rebase) rebaseOntoTarget(step.rebase.resolve ?? {});
  if (step.sleepMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, step.sleepMs);
  apply(step, trackDir);
  if (step.commit) commit(step.commit, trackId, step.trailers);
  for (const c of step.commits ?? []) {
    apply(c, trackDir);
    commit(c.message, trackId, c.trailers);
  }
  return step.exit ?? 0;
}

function apply(change: Change, trackDir: string): void {
  for (const [file, content] of Object.entries(change.files ?? {})) {
    const abs = inside(file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    console.log(`Edit ${file}`);
  }
  for (const file of change.delete ?? []) rmSync(inside(file), { force: true });
  if (change.tick) tick(path.join(trackDir, 'plan.md'), change.tick);
}

function commit(message: string, trackId: string, trailers: Record<string, string> = {}): void {
  const extra = Object.entries(trailers).flatMap(([key, value]) => [
    '--trailer',
    `${key}: ${value}`,
  ]);
  execFileSync('git', ['add', '--all'], { stdio: 'inherit' });
  execFileSync(
    'git',
    [
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      message,
      '--trailer',
      `Yardmaster-Track: ${trackId}`,
      ...extra,
    ],
    { stdio: 'inherit' },
  );
  console.log(`Committed: ${message}`);
}

/** `git rebase $YM_TARGET`, resolving each conflicted file with the scripted content. */
function rebaseOntoTarget(resolve: Record<string, string>): void {
  const target = required('YM_TARGET');
  const env = { ...process.env, GIT_EDITOR: 'true' };
  const run = (args: string[]) => {
    try {
      execFileSync('git', args, { stdio: 'pipe', env });
      return true;
    } catch {
      return false;
    }
  };
  if (run(['rebase', target])) return;
  for (let round = 0; round < 50; round++) {
    const conflicted = execFileSync('git', ['diff', '--name-only', '--diff-filter=U'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    for (const file of conflicted) {
      const content = resolve[file];
      if (content === undefined) throw new Error(`no scripted resolution for ${file}`);
      writeFileSync(inside(file), content);
      console.log(`Resolved ${file}`);
    }
    execFileSync('git', ['add', '--all'], { stdio: 'inherit' });
    if (run(['rebase', '--continue'])) return;
  }
  throw new Error('rebase did not finish');
}

function tick(planFile: string, which: 'all' | string[]): void {
  let text = readFileSync(planFile, 'utf8');
  const ids = which === 'all' ? allTasks(parsePlan(text, planFile)).map((t) => t.id) : which;
  for (const id of ids) text = setTaskMarker(text, id, 'done');
  writeFileSync(planFile, text);
}

function inside(rel: string): string {
  const abs = path.resolve(rel);
  if (!abs.startsWith(process.cwd() + path.sep))
    throw new Error(`path outside the worktree: ${rel}`);
  return abs;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`scripted agent: ${name} is not set (run it through yardmaster)`);
  return v;
}

try {
  process.exitCode = main();
} catch (err) {
  console.error(`scripted agent: ${(err as Error).message}`);
  process.exitCode = 2;
}
