// Budgets from the status issue, measured on the built CLI in a real pseudo-terminal (util-linux
// `script`, 120x40): the first full frame of `ym status` with 200 tracks (8 of them running, with
// branches and logs), from spawn to the frame's last line on the pty, within 500 ms; and the CPU
// the view uses while open and nothing changes for 10 s (/proc/<pid>/stat utime+stime), within 2%
// of one core; and, for information, the same within a minute of a change (seconds on screen).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CLI, git, initRepo, median, tempDir, timeOnce } from './lib.js';

const TRACKS = 200;
const RUNNING = 8;
const FRAME_END = '? help  q quit';
const IDLE_MS = 10_000;
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function prepareRepo(dir) {
  initRepo(dir);
  writeFileSync(path.join(dir, 'README.md'), '# bench\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
  const ym = (...args) => {
    const r = spawnSync(process.execPath, [CLI, '--cwd', dir, ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ym ${args.join(' ')}: ${r.stderr}`);
  };
  ym('setup', '--yes');
  const tracks = Array.from({ length: TRACKS }, (_, i) => ({
    id: `track-${i}`,
    title: `Track number ${i}`,
    dependsOn: i > 0 && i % 3 === 0 ? [`track-${i - 1}`] : [],
    phases: [{ title: 'Implement', tasks: ['Write tests', 'Implement', 'Document'] }],
  }));
  writeFileSync(path.join(dir, 'tracks.json'), JSON.stringify({ objective: 'bench', tracks }));
  ym('plan', '--from', 'tracks.json', '--yes');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'plan');
  // Some tracks at work, as implement leaves them: a branch, a worktree path, a run with a log.
  const stateDir = path.join(dir, '.git', 'yardmaster');
  const db = new Database(path.join(stateDir, 'state.db'));
  try {
    for (let i = 0; i < RUNNING; i++) {
      const id = `track-${i * 7}`;
      git(dir, 'branch', `ym/${id}`);
      const log = path.join(stateDir, 'logs', id, '1.log');
      mkdirSync(path.dirname(log), { recursive: true });
      writeFileSync(log, `agent output line\n`.repeat(2000));
      const now = new Date().toISOString();
      db.prepare(
        "UPDATE tracks SET state = 'running', branch = ?, worktree = ?, agent = 'scripted', attempt = 1 WHERE id = ?",
      ).run(`ym/${id}`, path.join(dir, '..', 'wt', id), id);
      db.prepare(
        "INSERT INTO runs (track_id, attempt, agent, state, started_at, log_path, lease_pid, lease_host, heartbeat_at) VALUES (?, 1, 'scripted', 'running', ?, ?, 1, 'bench', ?)",
      ).run(id, now, log, now);
    }
    // Nothing has changed for a while: the clock on screen moves by the minute, not the second.
    db.prepare('UPDATE tracks SET updated_at = ?').run(
      new Date(Date.now() - 5 * 60_000).toISOString(),
    );
  } finally {
    db.close();
  }
}

/** Starts `ym status` on a 120x40 pty; resolves when the first full frame has been written. */
function startView(dir) {
  const command = `stty cols 120 rows 40; exec ${[process.execPath, CLI, '--cwd', dir, 'status'].map((w) => `'${w}'`).join(' ')}`;
  const env = { ...process.env, TERM: 'xterm-256color' };
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION', 'NO_COLOR', 'TMUX']) delete env[key];
  const started = process.hrtime.bigint();
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const firstFrame = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no frame after 10 s:\n${output.slice(-2000)}`)),
      10_000,
    );
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      if (output.includes(FRAME_END)) {
        clearTimeout(timer);
        const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        // CPU the process used up to here: what a loaded machine does not inflate.
        let cpuMs = NaN;
        try {
          cpuMs = (cpuTicks(childPid(child.pid)) / HZ) * 1000;
        } catch {
          // the process may be gone already; wall time is the budget anyway
        }
        resolve({ wallMs, cpuMs });
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`ym status exited ${code} before its first frame:\n${output}`)),
    );
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return { child, firstFrame, exited };
}

function cpuTicks(pid) {
  // Fields after the command name (which may contain spaces): utime and stime are 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function childPid(pid) {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  return Number(children[0]);
}

async function quit(view) {
  view.child.stdin.write('q');
  const code = await Promise.race([
    view.exited,
    new Promise((r) => setTimeout(() => r('timeout'), 5000)),
  ]);
  if (code !== 0) {
    view.child.kill('SIGKILL');
    throw new Error(`ym status did not quit cleanly on q: ${code}`);
  }
}

export async function run() {
  const repo = tempDir('ym-bench-view-');
  try {
    prepareRepo(repo.dir);
    // `node -e 0`, interleaved, shows how loaded the machine was: the budget itself is absolute.
    const frames = [];
    const cpu = [];
    const node = [];
    for (let i = 0; i < 7; i++) {
      node.push(timeOnce([process.execPath, '-e', '0']));
      const view = startView(repo.dir);
      const { wallMs, cpuMs } = await view.firstFrame;
      frames.push(wallMs);
      cpu.push(cpuMs);
      await quit(view);
    }
    const view = startView(repo.dir);
    await view.firstFrame;
    const pid = childPid(view.child.pid);
    await new Promise((r) => setTimeout(r, 1000)); // let start-up work finish
    const idle = async () => {
      const before = cpuTicks(pid);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      return ((cpuTicks(pid) - before) / HZ / (IDLE_MS / 1000)) * 100;
    };
    const cpuPercent = await idle();
    // The same right after a change: times under a minute show seconds, so the clock ticks each second.
    const db = new Database(path.join(repo.dir, '.git', 'yardmaster', 'state.db'));
    db.prepare('UPDATE tracks SET updated_at = ?').run(new Date().toISOString());
    db.close();
    await new Promise((r) => setTimeout(r, 1500));
    const freshPercent = await idle();
    await quit(view);
    const frame = median(frames);
    return [
      {
        name: `status view: first frame, ${TRACKS} tracks (pty)`,
        value: frame,
        unit: 'ms',
        baselineMs: median(node),
        budget: 500,
        ok: frame <= 500,
      },
      {
        name: '  CPU time of the process to that frame',
        value: median(cpu),
        unit: 'ms',
        ok: true,
      },
      {
        name: 'status view: idle CPU over 10 s',
        value: cpuPercent,
        unit: '% core',
        budget: 2,
        ok: cpuPercent <= 2,
      },
      {
        name: '  same, last change < 1 min (1 s clock)',
        value: freshPercent,
        unit: '% core',
        ok: true,
      },
    ];
  } finally {
    repo.cleanup();
  }
}
