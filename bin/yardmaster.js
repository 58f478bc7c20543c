#!/usr/bin/env node
// Launcher: stays tiny. `--version` is answered without loading the CLI so it stays fast.
import { readFileSync } from 'node:fs';

// A reader that stops early (`ym status --json | head`) closes the pipe: the command goes on
// and finishes its work quietly, as it would with its output discarded, instead of crashing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(args);
}
