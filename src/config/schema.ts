// The one schema for yardmaster.json. Defaults live here; `config schema` prints it as JSON Schema.
import { z } from 'zod';
import { PARSER_NAMES } from '../agents/adapters/types.js';
import { RepoPath } from '../core/repo-path.js';
import { BranchName, BranchPrefix, RemoteName } from '../core/ref-name.js';
import { BUILTIN_AGENT_NAMES } from '../agents/builtin-names.js';
import { closest } from '../core/suggest.js';
import { FORGE_TOKEN_VARIABLES } from '../core/env.js';

export const TRACK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,47}$/;

const argv = z.array(z.string().min(1)).min(1);
/** A command: an argv array (run directly) or a string (the user's own, run by the shell). */
export const CommandSpec = z.union([z.string().min(1), argv]);

export const AgentSpec = z.strictObject({
  command: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe(
      'argv with placeholders {prompt}, {promptFile}, {worktree}, {trackId}; left out, the built-in agent of this name with these settings',
    ),
  resume: z
    .boolean()
    .optional()
    .describe(
      'default true: an interrupted or retried attempt continues the agent\'s own session (built-in agents that support it; docs/agents.md, "Resume")',
    ),
  timeoutSec: z.number().int().positive().default(1800),
  allow: z
    .array(z.string().min(1).max(500))
    .optional()
    .describe(
      'more commands the agent may run itself, besides the configured checks (Claude Code: permission rules such as "Bash(npm run lint:*)"); never a blanket bypass',
    ),
  env: z
    .record(z.string(), z.string())
    .superRefine((env, ctx) => {
      for (const key of FORGE_TOKEN_VARIABLES) {
        if (key in env) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `${key} is never passed to agents, and tokens never come from files`,
          });
        }
      }
    })
    .default({}),
  parser: z
    .enum(PARSER_NAMES)
    .optional()
    .describe(
      'how to read its output: a built-in agent\'s format (e.g. "claude" for a wrapper around claude) or "text"',
    ),
});

export const CheckSpec = z.strictObject({
  name: z.string().regex(/^[\w.:-]{1,64}$/, 'must be 1-64 letters, digits, ".", ":", "_" or "-"'),
  run: CommandSpec,
  timeoutSec: z.number().int().positive().default(600),
});

/** What one model costs, in US dollars per million tokens (docs/agents.md, "Cost"). */
export const PriceSpec = z.strictObject({
  inputPerMTok: z
    .number()
    .nonnegative()
    .describe('USD per million prompt tokens (not from the cache)'),
  outputPerMTok: z
    .number()
    .nonnegative()
    .describe('USD per million output tokens, reasoning included'),
  cacheReadPerMTok: z
    .number()
    .nonnegative()
    .optional()
    .describe('USD per million tokens read from the prompt cache; default: inputPerMTok'),
  cacheWritePerMTok: z
    .number()
    .nonnegative()
    .optional()
    .describe('USD per million tokens written to the prompt cache; default: inputPerMTok'),
});

/** Keys shared by the forge providers: which remote to push to and how long to wait for CI. */
function forgeWaitKeys() {
  return {
    remote: RemoteName.default('origin').describe(
      'the git remote that points at the forge repository',
    ),
    pollIntervalSec: z
      .number()
      .positive()
      .max(600)
      .default(10)
      .describe('seconds between two looks at the checks'),
    checkStartTimeoutSec: z
      .number()
      .positive()
      .default(300)
      .describe(
        'fail fast when a required check has not started on the pushed SHA within this time',
      ),
    checksTimeoutSec: z
      .number()
      .positive()
      .default(3600)
      .describe('give up when the checks have not finished within this time'),
    requestTimeoutSec: z
      .number()
      .positive()
      .max(600)
      .default(30)
      .describe(
        'give up on one HTTP request to the forge that has not answered within this time (it is then retried, bounded)',
      ),
  };
}

/** The events `notify.command` can be told about. */
export const NOTIFY_EVENTS = [
  'failed',
  'conflicted',
  'awaiting-approval',
  'merged',
  'budget',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const BuiltinCheckLevel = z.enum(['fail', 'warn', 'off']);

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    target: BranchName.default('main'),
    branchPrefix: BranchPrefix.default('ym/'),
    concurrency: z.number().int().min(1).max(64).default(4),
    attempts: z.number().int().min(1).max(20).default(3),
    agent: z.string().min(1).default('claude'),
    retry: z
      .strictObject({
        backoffMs: z.number().int().min(0).default(2000),
        maxBackoffMs: z.number().int().min(0).default(60_000),
      })
      .prefault({}),
    agents: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), AgentSpec).default({}),
    checks: z.array(CheckSpec).default([]),
    prices: z
      .record(z.string().min(1), PriceSpec)
      .default({})
      .describe(
        'prices by model name (or family, e.g. "claude-sonnet-4") or agent name, for agents that report tokens but no cost; they override the built-in estimates',
      ),
    budget: z
      .strictObject({
        trackUsd: z
          .number()
          .positive()
          .optional()
          .describe(
            'a track whose attempts have cost this many US dollars is failed (reason budget), its worktree kept',
          ),
        trackTokens: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('the same in tokens (input, cache included, plus output)'),
        runUsd: z
          .number()
          .positive()
          .optional()
          .describe(
            'one implement stops starting attempts and interrupts its agents (resumable) once they have cost this much; exit 1',
          ),
        runTokens: z.number().int().positive().optional().describe('the same in tokens'),
      })
      .prefault({})
      .describe(
        'spending ceilings (docs/implement.md, "Budgets"); unknown costs count as nothing, so a token ceiling holds where no price is known',
      ),
    builtinChecks: z
      .strictObject({
        // Progress markers inform; the configured checks decide. `fail` is the strict Conductor mode.
        planComplete: BuiltinCheckLevel.default('warn'),
        conflictMarkers: BuiltinCheckLevel.default('fail'),
        scope: BuiltinCheckLevel.default('warn'),
        upToDate: BuiltinCheckLevel.default('warn'),
        trailers: BuiltinCheckLevel.default('warn'),
      })
      .prefault({}),
    scheduling: z
      .strictObject({
        // serialize: a track whose declared scope overlaps a running or ready track waits for it
        // to merge (fewer conflicts at the queue); allow: it starts at once.
        overlap: z.enum(['serialize', 'allow']).default('serialize'),
      })
      .prefault({}),
    planner: z
      .strictObject({
        agent: z.string().min(1).optional(),
        maxAttempts: z.number().int().min(1).max(10).default(3),
        timeoutSec: z.number().int().positive().default(900),
      })
      .prefault({}),
    merge: z
      .strictObject({
        mode: z.enum(['auto', 'manual']).default('auto'),
        strategy: z.enum(['rebase', 'merge', 'squash']).default('rebase'),
        provider: z.enum(['local', 'github', 'gitlab']).default('local'),
        deleteBranch: z.boolean().default(true),
        push: z.boolean().default(false),
        onConflict: z.enum(['mark', 'agent']).default('mark'),
        speculate: z
          .union([z.literal('auto'), z.number().int().min(1).max(16)])
          .default('auto')
          .describe(
            'how many queued candidates are checked at once, each on top of the ones ahead; auto: the cores, 1 to 4; 1: one at a time',
          ),
        requireApproval: z
          .boolean()
          .default(false)
          .describe(
            'a validated track waits in ready until `ym approve` names its head; a track that changes what yardmaster or CI runs always waits',
          ),
      })
      .prefault({}),
    notify: z
      .strictObject({
        command: argv
          .optional()
          .describe(
            'argv run on each chosen event, with one JSON document on stdin (docs/review.md, "Notifications")',
          ),
        on: z.array(z.enum(NOTIFY_EVENTS)).default([...NOTIFY_EVENTS]),
        timeoutSec: z.number().positive().max(300).default(10),
      })
      .prefault({}),
    engine: z
      .strictObject({
        kind: z
          .enum(['local', 'bullmq'])
          .default('local')
          .describe(
            'local: one process (SQLite + p-queue); bullmq: a fleet of `ym worker` processes sharing Redis (YM_REDIS_URL, never from the repository) and a git remote (docs/scale.md)',
          ),
        remote: RemoteName.default('origin').describe(
          'the git remote every worker of the fleet fetches track branches from and pushes them to',
        ),
      })
      .prefault({})
      .describe('which engine runs the tracks (docs/scale.md)'),
    worktrees: z
      .strictObject({
        dir: z.string().min(1).default('../{repo}.yardmaster'),
        copy: z
          .array(RepoPath)
          .default([])
          .describe(
            'files copied from the main checkout into each new worktree (paths inside the repository)',
          ),
        setup: z.array(CommandSpec).default([]),
        reuse: z.boolean().default(true),
      })
      .prefault({}),
    github: z
      .strictObject({
        owner: z.string().min(1),
        repo: z.string().min(1),
        baseUrl: z.url().default('https://api.github.com'),
        ...forgeWaitKeys(),
        requiredChecks: z
          .array(z.string().min(1))
          .optional()
          .describe(
            'check names to wait for; default: from branch protection/rules, else the names of `checks`',
          ),
      })
      .optional(),
    gitlab: z
      .strictObject({
        host: z.url().default('https://gitlab.com'),
        project: z.string().min(1),
        ...forgeWaitKeys(),
        requirePipeline: z
          .boolean()
          .default(true)
          .describe('wait for a pipeline on the pushed SHA before merging'),
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    // `agent` and `planner.agent` must name an agent that exists, so a typo fails here and
    // not when implement or plan starts.
    for (const [name, spec] of Object.entries(config.agents)) {
      if (
        spec.command === undefined &&
        !(BUILTIN_AGENT_NAMES as readonly string[]).includes(name)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', name, 'command'],
          message: `is required: "${name}" is not a built-in agent (built in: ${BUILTIN_AGENT_NAMES.join(', ')})`,
        });
      }
    }
    const known = [...BUILTIN_AGENT_NAMES, ...Object.keys(config.agents)];
    const named: [string[], string | undefined][] = [
      [['agent'], config.agent],
      [['planner', 'agent'], config.planner.agent],
    ];
    for (const [path, name] of named) {
      if (name === undefined || known.includes(name)) continue;
      const suggestion = closest(name, known);
      ctx.addIssue({
        code: 'custom',
        path,
        input: name,
        message: `unknown agent "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; built in: ${BUILTIN_AGENT_NAMES.join(', ')}, or one defined under "agents"`,
      });
    }
  });

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type AgentSpec = z.output<typeof AgentSpec>;
export type CheckSpec = z.output<typeof CheckSpec>;
export type PriceSpec = z.output<typeof PriceSpec>;
export type CommandSpec = z.output<typeof CommandSpec>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

export function configJsonSchema(): unknown {
  return z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' });
}
