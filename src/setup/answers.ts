// What setup needs to know about the project: detected from the repository (package.json, go.mod,
// the current branch...) and, on a terminal, confirmed or changed by the user in a few questions.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Readable } from 'node:stream';
import type { Context } from '../context.js';
import { InterruptedError, UsageError } from '../core/errors.js';

export interface SetupAnswers {
  name: string;
  description: string;
  /** Languages, runtimes and frameworks, comma-separated; empty when unknown. */
  stack: string;
  /** The test check's command; empty for no checks. */
  testCommand: string;
  target: string;
  agent: string;
}

export const BUILTIN_AGENTS = [
  'claude',
  'codex',
  'gemini',
  'aider',
  'opencode',
  'scripted',
] as const;

// `npm init` writes this test script; it is a placeholder, not a test command.
const NPM_INIT_TEST = /no test specified/;

interface PackageJson {
  name?: unknown;
  description?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

function readPackageJson(root: string): PackageJson | null {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PackageJson) : null;
  } catch {
    // Not ours to validate: a broken package.json only means nothing is detected from it.
    return null;
  }
}

const FRAMEWORKS: [dep: string, label: string][] = [
  ['react', 'React'],
  ['next', 'Next.js'],
  ['vue', 'Vue'],
  ['svelte', 'Svelte'],
  ['express', 'Express'],
  ['fastify', 'Fastify'],
  ['vitest', 'Vitest'],
  ['jest', 'Jest'],
];

export function detectStack(root: string, pkg: PackageJson | null): string[] {
  const has = (f: string) => existsSync(path.join(root, f));
  const stack: string[] = [];
  if (pkg) {
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    stack.push(
      has('tsconfig.json') || 'typescript' in deps ? 'TypeScript' : 'JavaScript',
      'Node.js',
    );
    for (const [dep, label] of FRAMEWORKS) if (dep in deps) stack.push(label);
  }
  if (has('pyproject.toml') || has('requirements.txt') || has('setup.py')) stack.push('Python');
  if (has('go.mod')) stack.push('Go');
  if (has('Cargo.toml')) stack.push('Rust');
  if (has('pom.xml') || has('build.gradle') || has('build.gradle.kts'))
    stack.push('Java/Kotlin (JVM)');
  if (has('Gemfile')) stack.push('Ruby');
  if (has('composer.json')) stack.push('PHP');
  return stack;
}

export function detectTestCommand(root: string, pkg: PackageJson | null): string {
  const has = (f: string) => existsSync(path.join(root, f));
  const test = pkg?.scripts?.test;
  if (typeof test === 'string' && test.trim() !== '' && !NPM_INIT_TEST.test(test)) {
    if (has('pnpm-lock.yaml')) return 'pnpm test';
    if (has('yarn.lock')) return 'yarn test';
    if (has('bun.lock') || has('bun.lockb')) return 'bun run test';
    return 'npm test';
  }
  if (has('go.mod')) return 'go test ./...';
  if (has('Cargo.toml')) return 'cargo test';
  return '';
}

/** The branch checked out in `root` (also on a branch without commits yet); 'main' when detached. */
export async function currentBranch(root: string, ctx: Pick<Context, 'run'>): Promise<string> {
  const r = await ctx.run('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], {
    cwd: root,
    reject: false,
  });
  const branch = r.stdout.trim();
  return r.exitCode === 0 && branch !== '' ? branch : 'main';
}

export async function detectAnswers(
  root: string,
  repoName: string,
  ctx: Pick<Context, 'run'>,
): Promise<SetupAnswers> {
  const pkg = readPackageJson(root);
  const name = typeof pkg?.name === 'string' && pkg.name !== '' ? pkg.name : repoName;
  const description = typeof pkg?.description === 'string' ? pkg.description.trim() : '';
  return {
    name,
    description,
    stack: detectStack(root, pkg).join(', '),
    testCommand: detectTestCommand(root, pkg),
    target: await currentBranch(root, ctx),
    agent: 'claude',
  };
}

export interface AskIO {
  input: Readable;
  /** Where the questions go (stderr, so stdout stays for results). */
  output: { write(chunk: string): unknown };
  signal?: AbortSignal;
}

interface Question {
  key: keyof SetupAnswers;
  label: string;
  /** Returns an error message, or null when the answer is acceptable. */
  check?: (value: string) => Promise<string | null> | string | null;
}

/** Asks the questions one by one, each with its default; Enter keeps the default. */
export async function askAnswers(
  defaults: SetupAnswers,
  io: AskIO,
  checkTarget: (branch: string) => Promise<string | null>,
): Promise<SetupAnswers> {
  const questions: Question[] = [
    { key: 'name', label: 'Project name' },
    { key: 'description', label: 'What does it do, for whom (one sentence)' },
    { key: 'stack', label: 'Languages and frameworks' },
    { key: 'testCommand', label: 'Test command (run on every track; "none" for no checks)' },
    { key: 'target', label: 'Target branch (validated tracks merge into it)', check: checkTarget },
    {
      key: 'agent',
      label: `Default agent (${BUILTIN_AGENTS.join(', ')})`,
      check: (v) =>
        (BUILTIN_AGENTS as readonly string[]).includes(v) ? null : `unknown agent "${v}"`,
    },
  ];
  // Lines are read through the async iterator, which buffers them: `rl.question` drops lines that
  // arrive before it is called (piped input), and leaves its promise pending at end of input.
  const rl = createInterface({ input: io.input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const interrupted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new InterruptedError());
    if (io.signal?.aborted) onAbort();
    io.signal?.addEventListener('abort', onAbort, { once: true });
  });
  interrupted.catch(() => undefined);
  const answers = { ...defaults };
  let ended = false;
  try {
    for (const q of questions) {
      let rejected: string | null = null;
      for (;;) {
        const shown = answers[q.key] === '' ? '' : ` [${answers[q.key]}]`;
        if (!ended) io.output.write(`${q.label}${shown}: `);
        // At end of input every remaining question keeps its default.
        const next = ended
          ? { done: true as const, value: undefined }
          : await Promise.race([lines.next(), interrupted]);
        if (next.done === true) {
          if (!ended) io.output.write('\n');
          ended = true;
          // The user's answer was refused and cannot be asked again: stop rather than guess.
          if (rejected !== null) throw new UsageError(`${q.label}: ${rejected}.`);
        }
        const raw = typeof next.value === 'string' ? next.value.trim() : '';
        const value =
          raw === ''
            ? answers[q.key]
            : q.key === 'testCommand' && /^(none|-)$/i.test(raw)
              ? ''
              : raw;
        rejected = q.check ? await q.check(value) : null;
        if (rejected === null) {
          answers[q.key] = value;
          break;
        }
        if (ended) throw new UsageError(`${q.label}: ${rejected}.`);
        io.output.write(`  ${rejected}; try again.\n`);
      }
    }
  } finally {
    rl.close();
  }
  return answers;
}
