// The planner side of the agent contract: build the planning prompt, run the agent, read the
// JSON it wrote (or ended its final message with), validate it with the plan-file schema, and
// re-ask with the errors (bounded).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../context.js';
import { UsageError, WorkFailedError } from '../core/errors.js';
import { launchAgent } from '../agents/launch.js';
import { resolveAgent } from '../agents/registry.js';
import { requireTrust } from '../config/trust.js';
import { renderTemplate } from '../setup/templates.js';
import { readTrackFiles } from '../tracks/files.js';
import { validateNewTracks } from '../tracks/register.js';
import { buildTrackDocs } from '../tracks/build.js';
import { FINAL_MESSAGE_SOURCE, finalMessage, parserNameFor } from '../agents/adapters/index.js';
import {
  assertScopeInside,
  parseJsonText,
  planFileJsonSchema,
  validatePlanFileData,
  type PlanFile,
} from './plan-file.js';
import { findPlanAnswer } from './plan-answer.js';
import { readContextDocs } from './context-docs.js';

export interface PlannerOptions {
  objective: string;
  agent?: string | undefined;
}

export async function planWithAgent(ctx: Context, opts: PlannerOptions): Promise<PlanFile> {
  const [repo, loaded] = await Promise.all([ctx.repo(), ctx.config()]);
  const { config } = loaded;
  const agent = resolveAgent(
    opts.agent ?? config.planner.agent ?? config.agent,
    config,
    opts.agent !== undefined
      ? '--agent'
      : config.planner.agent !== undefined
        ? 'yardmaster.json "planner.agent"'
        : 'yardmaster.json "agent"',
  );
  if (agent.fromRepoConfig)
    await requireTrust(ctx, [`agent "${agent.name}": ${agent.command.join(' ')}`]);
  const existing = readTrackFiles(repo.root);
  const dir = path.join(repo.stateDir, 'tmp', `plan-${process.pid}-${ctx.clock.now().getTime()}`);
  mkdirSync(dir, { recursive: true });
  ctx.defer(() => rmSync(dir, { recursive: true, force: true }));
  const promptFile = path.join(dir, 'prompt.md');
  const outputFile = path.join(dir, 'plan.json');
  const feedbackFile = path.join(dir, 'feedback.md');
  const max = config.planner.maxAttempts;
  let feedback = '';
  for (let attempt = 1; attempt <= max; attempt++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const prompt = renderTemplate('prompts/plan.md', {
      objective: opts.objective,
      context: readContextDocs(repo.root) || '(no context documents; run `ym setup` to write them)',
      existingTracks: existing.length
        ? existing.map((t) => `- ${t.id}: ${t.title} (${t.type})`).join('\n')
        : '(none)',
      outputFile,
      schema: JSON.stringify(planFileJsonSchema(), null, 2),
      feedback: feedback
        ? `\n## Your previous answer was rejected\n${feedback}\nWrite a corrected document.\n`
        : '',
    });
    writeFileSync(promptFile, prompt);
    rmSync(outputFile, { force: true });
    if (feedback) writeFileSync(feedbackFile, feedback);
    ctx.out.info(`planning with ${agent.name} (attempt ${attempt}/${max})...`);
    const outcome = await launchAgent(ctx, agent, {
      cwd: repo.root,
      prompt,
      promptFile,
      trackId: '',
      env: {
        YM_PROMPT_FILE: promptFile,
        YM_OUTPUT_FILE: outputFile,
        YM_ATTEMPT: String(attempt),
        YM_TARGET: config.target,
        ...(feedback ? { YM_FEEDBACK_FILE: feedbackFile } : {}),
      },
    });
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (outcome.timedOut || outcome.exitCode !== 0) {
      feedback = outcome.timedOut
        ? `The agent timed out after ${agent.timeoutSec} s.`
        : `The agent exited with code ${String(outcome.exitCode)}: ${outcome.stderr.trim().split('\n').slice(-5).join('\n')}`;
      ctx.out.warn(feedback);
      continue;
    }
    try {
      const parser = parserNameFor(agent);
      const { text, name } = findPlanAnswer({
        outputFile,
        fileText: existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : null,
        message: finalMessage(parser, outcome.summary, outcome.stdout),
        messageSource: FINAL_MESSAGE_SOURCE[parser],
      });
      const plan = validatePlanFileData(parseJsonText(text, name), name);
      assertScopeInside(plan, repo.root, name);
      validateNewTracks(
        existing,
        plan.tracks.map((t) => buildTrackDocs({ ...t }, ctx.clock)),
        name,
      );
      return plan;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      feedback = err.message;
      ctx.out.warn(`the planner's answer was rejected: ${err.message}`);
    }
  }
  throw new WorkFailedError(
    `The planner agent "${agent.name}" gave no valid plan in ${max} attempts. Last problem:\n${feedback}`,
    {
      hint: 'Write the tracks yourself and use `ym plan --from FILE`, or raise planner.maxAttempts.',
    },
  );
}
