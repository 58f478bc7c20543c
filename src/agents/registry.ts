// Which program an agent name means: a built-in adapter (claude, codex, gemini, aider,
// opencode) in its headless mode, or a custom command from yardmaster.json's `agents`.
import type { Config } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { closest } from '../core/suggest.js';
import { isParserName, type ParserName } from './adapters/types.js';

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
}

interface Builtin {
  command: readonly string[];
  installHint: string;
  env?: Record<string, string>;
}

// Headless invocations; see docs/agents.md for the traps each one avoids.
export const BUILTIN_AGENTS: Readonly<Record<string, Builtin>> = {
  claude: {
    command: [
      'claude', '-p', '{prompt}', '--output-format', 'stream-json', '--verbose',
      '--permission-mode', 'acceptEdits',
      '--allowedTools', 'Bash(git add:*)', 'Bash(git commit:*)', 'Bash(git status:*)', 'Bash(git diff:*)',
    ],
    installHint: 'npm install -g @anthropic-ai/claude-code',
    env: {
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
    },
  },
  codex: {
    // codex reads stdin to its end before starting; the runner gives it /dev/null.
    command: ['codex', 'exec', '--json', '--sandbox', 'workspace-write', '{prompt}'],
    installHint: 'npm install -g @openai/codex',
  },
  gemini: {
    command: ['gemini', '-p', '{prompt}', '--output-format', 'stream-json', '--approval-mode', 'auto_edit'],
    installHint: 'npm install -g @google/gemini-cli',
  },
  aider: {
    command: ['aider', '--message-file', '{promptFile}', '--yes-always', '--no-auto-commits', '--no-check-update', '--no-pretty'],
    installHint: 'python -m pip install aider-install && aider-install',
  },
  opencode: {
    command: ['opencode', 'run', '--format', 'json', '{prompt}'],
    installHint: 'npm install -g opencode-ai',
  },
};

export function resolveAgent(name: string, config: Config): AgentDefinition {
  const custom = config.agents[name];
  if (custom) {
    return {
      name,
      kind: 'custom',
      command: custom.command,
      timeoutSec: custom.timeoutSec,
      env: custom.env,
      fromRepoConfig: true,
      ...(custom.parser ? { parser: custom.parser } : {}),
    };
  }
  const builtin = BUILTIN_AGENTS[name];
  if (builtin) {
    return {
      name,
      kind: 'builtin',
      command: builtin.command,
      timeoutSec: 1800,
      env: builtin.env ?? {},
      installHint: builtin.installHint,
      fromRepoConfig: false,
      parser: isParserName(name) ? name : 'text',
    };
  }
  const known = [...Object.keys(BUILTIN_AGENTS), ...Object.keys(config.agents)];
  const suggestion = closest(name, known);
  throw new UsageError(
    `Unknown agent "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}.`,
    {
      hint: `Built-in agents: ${Object.keys(BUILTIN_AGENTS).join(', ')}. Define others under "agents" in yardmaster.json.`,
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
    arg.replace(/\{(prompt|promptFile|worktree|trackId)\}/g, (_, key: keyof Placeholders) => values[key]),
  );
}
