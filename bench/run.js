// `npm run bench`: every budget, measured as a ratio against its raw baseline, side by side.
// `node bench/run.js [suite...]` runs only those suites. Exits 1 when a budget is exceeded.
// Results are also written to bench/results/latest.json. Build first (`npm run build`).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, report } from './lib.js';
import { isolateGitConfig } from './project.js';
import { run as cliStartup } from './cli-startup.js';
import { run as statusView } from './status-view.js';
import { run as worktrees } from './worktrees.js';
import { run as orchestration } from './orchestration.js';
import { run as mergeQueue } from './merge-queue.js';
import { run as speculate } from './speculate.js';
import { run as fleet } from './fleet.js';

const suites = {
  'cli-startup': cliStartup,
  'status-view': statusView,
  worktrees,
  orchestration,
  'merge-queue': mergeQueue,
  speculate,
  fleet,
};
const only = process.argv.slice(2);
const unknown = only.filter((name) => !(name in suites));
if (unknown.length) {
  console.error(
    `unknown suite(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`,
  );
  process.exit(2);
}
isolateGitConfig();
const results = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  const started = Date.now();
  const rows = await suite();
  for (const r of rows) r.suite = name;
  results.push(...rows);
  console.error(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
report(results);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', 'latest.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.availableParallelism(),
      results,
    },
    null,
    2,
  ),
);
if (results.some((r) => !r.ok)) process.exitCode = 1;
