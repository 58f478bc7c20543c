// `npm run bench`: every budget, measured as a ratio against its raw baseline, side by side.
// Exits 1 when a budget is exceeded. Results are also written to bench/results/latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, report } from './lib.js';
import { run as cliStartup } from './cli-startup.js';
import { run as statusView } from './status-view.js';

const suites = { 'cli-startup': cliStartup, 'status-view': statusView };
const only = process.argv.slice(2);
const results = [];
for (const [name, suite] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  results.push(...(await suite()));
}
report(results);
mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'bench', 'results', 'latest.json'),
  JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2),
);
if (results.some((r) => !r.ok)) process.exitCode = 1;
