// Build: bundle src/ into dist/ with esbuild (one entry, code-split chunks for lazily loaded
// commands). Bundling matters for start-up: Node 20 spends most of a short command loading
// hundreds of small module files. Types are checked separately by `npm run typecheck`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';

// zod re-exports every locale (64 files, most of its bundle); yardmaster speaks English, so its
// locale index is replaced by English alone. Parsing ~300 KB less JavaScript on every start.
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(b) {
    b.onResolve({ filter: /locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js') }
        : undefined,
    );
  },
};

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // YM_NO_MINIFY=1 keeps names and lines readable in a CPU profile (--cpu-prof).
  minify: !process.env.YM_NO_MINIFY,
  keepNames: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Native addon: loaded from node_modules at run time; bullmq and ioredis too (the fleet engine
  // only, loaded by its chunk: bullmq's optional native msgpackr build stays its own). react-devtools-core: ink imports it only
  // when DEV=true, and it is not installed; leaving it out of the bundle keeps that an ink error.
  external: ['better-sqlite3', 'react-devtools-core', 'bullmq', 'ioredis'],
  // Bundled CommonJS dependencies (commander) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __ymRequire } from 'node:module'; const require = __ymRequire(import.meta.url);",
  },
  // React (for ink) picks its development build, several times slower, unless told otherwise.
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
  plugins: [englishOnlyZod],
});
// The scripted agent is a node process per track (tests, demo, benchmarks): one self-contained
// CommonJS file loads faster than an ES module importing shared chunks (about 8 ms of CPU less
// per start here, 10% of its start-up).
await build({
  entryPoints: ['src/agents/scripted-agent.ts'],
  outfile: 'dist/agents/scripted-agent.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
