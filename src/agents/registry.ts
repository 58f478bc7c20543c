// Which program an agent name means: a built-in adapter (claude, codex, gemini, aider,
// opencode) in its headless mode, or a custom command from yardmaster.json's `agents`.
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { packageRoot } from '../core/package.js';
import { aiderTestArgs, claudeAllowRules } from './allowed-commands.js';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import { isParserName, type ParserName } from './adapters/types.js';
import type { BUILTIN_AGENT_NAMES } from './builtin-names.js';

type BuiltinAgentName = (typeof BUILTIN_AGENT_NAMES)[number];

export interface AgentDefinition {
  name: string;
  kind: 'builtin' | 'custom';
  /** argv with placeholders {prompt}, {promptFile}, {worktree}, {trackId}. */
  command: readonly string[];
  timeoutSec: number;
  env: Readonly<Record<string, string>>;
  /** How to install the binary, for the "not found" message. */
  installHint?: string;
  /** Commands from the repository's config run only once the user trusts it. */
  fromRepoConfig: boolean;
  /** Which output parser reads its stdout (src/agents/adapters); default: its own name, else text. */
  parser?: ParserName;
  /**
   * The prompt goes to the agent's standard input, which is then closed. Without it stdin is
   * /dev/null: never an open pipe, since some agents read stdin to its end before starting.
   */
  promptViaStdin?: boolean;
  /** Files the agent keeps in the worktree for itself; never part of the work or its commits. */
  scratchFiles?: readonly string[];
  /** Continue the agent's own session on a retry or after an interruption (`agents.<name>.resume`). */
  resume?: boolean;
}

interface Builtin {
  command: readonly string[];
  installHint: string;
  env?: Record<string, string>;
  promptViaStdin?: boolean;
  scratchFiles?: readonly string[];
}

// Headless invocations, checked against each CLI's documentation and source in 2026-11; the
// traps each one avoids are in docs/agents.md. The prompt goes on stdin where the CLI reads it
// from there: an argv element is limited to 128 KiB on Linux and shows in `ps`.
export const BUILTIN_AGENTS: Readonly<Record<string, Builtin>> = {
  claude: {
    // Claude Code docs (headless mode, CLI reference): -p prints and exits; with -p,
    // stream-json requires --verbose (exit 1 without it). acceptEdits lets it edit files but
    // denies Bash unless allowed; a denial still exits 0 and only shows in the result's
    // `permission_denials`. `Bash(cmd:*)` is the legacy prefix-rule form, still accepted, so
    // it works on old and new versions alike.
    command: [
      'claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--allowedTools',
      'Bash(git add:*)',
      'Bash(git commit:*)',
      'Bash(git status:*)',
      'Bash(git diff:*)',
      'Bash(git log:*)',
    ],
    installHint: 'npm install -g @anthropic-ai/claude-code',
    // Without these it makes DNS look-ups and update checks (observed, see AGENTS.md).
    env: {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
    },
    promptViaStdin: true,
  },
  codex: {
    // codex-rs exec/src/cli.rs: PROMPT `-` reads the instructions from stdin; `--json` (alias
    // of the old --experimental-json) prints JSONL events; `--full-auto` is now a removed-flag
    // trap, `--sandbox workspace-write` is its replacement. It reads stdin to EOF before
    // starting, so stdin is always closed, never an open pipe.
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '-'],
    installHint: 'npm install -g @openai/codex',
    promptViaStdin: true,
  },
  gemini: {
    // gemini-cli docs/cli/headless.md and config.ts: a non-TTY stdin means headless mode and
    // is the prompt; stream-json prints JSONL events. auto_edit approves edits; in headless
    // mode the shell tool is then left out (`--yolo` is deprecated for --approval-mode yolo).
    command: ['gemini', '--output-format', 'stream-json', '--approval-mode', 'auto_edit'],
    installHint: 'npm install -g @google/gemini-cli',
    promptViaStdin: true,
  },
  aider: {
    // aider.chat/docs/scripting.html and options reference. --yes-always also answers yes to
    // "add .aider* to .gitignore?" and to the analytics opt-in, hence --no-gitignore and
    // --no-analytics; yardmaster commits the work itself (with its trailers), hence
    // --no-auto-commits. Its .aider* files stay in the worktree as scratch files.
    command: [
      'aider',
      '--message-file',
      '{promptFile}',
      '--yes-always',
      '--no-auto-commits',
      '--no-dirty-commits',
      '--no-gitignore',
      '--no-analytics',
      '--no-check-update',
      '--no-show-model-warnings',
      '--no-pretty',
    ],
    installHint: 'python -m pip install aider-install && aider-install',
    scratchFiles: ['.aider*'],
  },
  opencode: {
    // opencode packages/opencode/src/cli/cmd/run.ts: `run` reads a piped stdin as the
    // message, `--format json` prints raw JSON events; permissions that would ask are
    // auto-rejected (listed in the final `done` event) unless --auto is given.
    command: ['opencode', 'run', '--format', 'json'],
    installHint: 'npm install -g opencode-ai',
    promptViaStdin: true,
  },
} satisfies Record<Exclude<BuiltinAgentName, 'scripted'>, Builtin>;

/** The built-in deterministic agent, bundled as its own entry point (dist/agents/scripted-agent.cjs). */
export function scriptedAgent(): AgentDefinition {
  return {
    name: 'scripted',
    kind: 'builtin',
    command: [process.execPath, path.join(packageRoot(), 'dist', 'agents', 'scripted-agent.cjs')],
    timeoutSec: 600,
    env: {},
    fromRepoConfig: false,
  };
}

/** `from` says where the name came from (e.g. "--agent"), for the message when it is unknown. */
export function resolveAgent(name: string, config: Config, from?: string): AgentDefinition {
  if (name === 'scripted' && !config.agents.scripted) return scriptedAgent();
  const custom = config.agents[name];
  if (custom?.command) {
    return {
      name,
      kind: 'custom',
      command: custom.command,
      timeoutSec: custom.timeoutSec,
      env: custom.env,
      fromRepoConfig: true,
      resume: custom.resume ?? true,
      ...(custom.parser ? { parser: custom.parser } : {}),
    };
  }
  const builtin = BUILTIN_AGENTS[name];
  if (builtin) {
    return {
      name,
      kind: 'builtin',
      command: withAllowedCommands(name, builtin.command, config, custom?.allow ?? []),
      // `agents.<name>` without a command: the built-in, with these settings.
      timeoutSec: custom?.timeoutSec ?? 1800,
      env: { ...builtin.env, ...custom?.env },
      resume: custom?.resume ?? true,
      installHint: builtin.installHint,
      fromRepoConfig: false,
      parser: isParserName(name) ? name : 'text',
      promptViaStdin: builtin.promptViaStdin ?? false,
      scratchFiles: builtin.scratchFiles ?? [],
    };
  }
  const known = [...Object.keys(BUILTIN_AGENTS), 'scripted', ...Object.keys(config.agents)];
  const suggestion = closest(name, known);
  throw new UsageError(
    `Unknown agent "${name}"${from ? ` (${from})` : ''}${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
    {
      hint: `Built-in agents: ${[...Object.keys(BUILTIN_AGENTS), 'scripted'].join(', ')}. Define others under "agents" in yardmaster.json.`,
    },
  );
}

export interface Placeholders {
  prompt: string;
  promptFile: string;
  worktree: string;
  trackId: string;
}

/** Fills placeholders inside argv elements; the result is still an argv, never a shell string. */
export function expandCommand(command: readonly string[], values: Placeholders): string[] {
  return command.map((arg) =>
    arg.replace(
      /\{(prompt|promptFile|worktree|trackId)\}/g,
      (_, key: keyof Placeholders) => values[key],
    ),
  );
}

/**
 * A built-in's command with the commands it may run itself (src/agents/allowed-commands.ts):
 * Claude Code gets them as --allowedTools rules after the git ones, aider as its test command.
 * Codex's workspace-write sandbox already runs commands in the worktree; gemini and opencode
 * have no per-command rule on their command line (docs/agents.md).
 */
function withAllowedCommands(
  name: string,
  command: readonly string[],
  config: Config,
  allow: readonly string[],
): readonly string[] {
  if (name === 'claude') {
    const rules = claudeAllowRules(config.checks, allow);
    const at = command.indexOf('--allowedTools');
    if (!rules.length || at < 0) return command;
    // The rules follow the git ones (--allowedTools takes every argument up to the next flag).
    return [...command, ...rules];
  }
  if (name === 'aider') return [...command, ...aiderTestArgs(config.checks)];
  return command;
}
