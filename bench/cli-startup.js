// Budgets from the foundation issue: `ym --version` within 1.5x of `node -e 0`, and
// `ym status --json` on a repository with 100 tracks within 2.5x of `node -e 0`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, compare, initRepo, tempDir } from './lib.js';
import { spawnSync } from 'node:child_process';

export function run() {
  const node = [process.execPath, '-e', '0'];
  const results = [];
  results.push(
    compare('ym --version vs node -e 0', [process.execPath, CLI, '--version'], node, {
      budget: 1.5,
    }),
  );

  const repo = tempDir('ym-bench-status-');
  try {
    initRepo(repo.dir);
    const env = { ...process.env, CI: 'true', NO_COLOR: '1' };
    const ok = (args) => {
      const r = spawnSync(process.execPath, [CLI, '--cwd', repo.dir, ...args], {
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`ym ${args.join(' ')}: ${r.stderr}`);
    };
    ok(['setup', '--yes']);
    const tracks = Array.from({ length: 100 }, (_, i) => ({
      id: `track-${i}`,
      title: `Track number ${i}`,
      dependsOn: i > 0 && i % 3 === 0 ? [`track-${i - 1}`] : [],
      phases: [{ title: 'Implement', tasks: ['Write tests', 'Implement', 'Document'] }],
    }));
    const file = path.join(repo.dir, 'tracks.json');
    writeFileSync(file, JSON.stringify({ objective: 'bench', tracks }));
    ok(['plan', '--from', file, '--yes']);
    results.push(
      compare(
        'ym status --json (100 tracks) vs node -e 0',
        [process.execPath, CLI, '--cwd', repo.dir, 'status', '--json'],
        node,
        { budget: 2.5, opts: { env } },
      ),
    );
  } finally {
    repo.cleanup();
  }
  return results;
}
