// The planner side of the agent contract: build the planning prompt, run the agent, read the
// JSON it wrote, validate it with the plan-file schema, and re-ask with the errors (bounded).
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
import { assertScopeInside, parseStructured, planFileJsonSchema, validatePlanFileData, type PlanFile } from './plan-file.js';
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
    opts.agent !== undefined ? '--agent' : config.planner.agent !== undefined ? 'yardmaster.json "planner.agent"' : 'yardmaster.json "agent"',
  );
  if (agent.fromRepoConfig) await requireTrust(ctx, [`agent "${agent.name}": ${agent.command.join(' ')}`]);
  const existing = readTrackFiles(repo.root);
  const dir = path.join(repo.stateDir, 'tmp', `plan-${process.pid}-${Date.now()}`);
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
      feedback: feedback ? `\n## Your previous answer was rejected\n${feedback}\nWrite a corrected document.\n` : '',
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
    const text = existsSync(outputFile) ? readFileSync(outputFile, 'utf8') : extractJson(outcome.stdout);
    try {
      if (!text.trim()) throw new UsageError(`no plan was written to ${outputFile} and none was printed.`);
      const plan = validatePlanFileData(parseStructured(text, 'plan.json'), 'plan.json');
      assertScopeInside(plan, repo.root, 'plan.json');
      validateNewTracks(
        existing,
        plan.tracks.map((t) => buildTrackDocs({ ...t }, ctx.clock)),
        'plan.json',
      );
      return plan;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      feedback = err.message;
      ctx.out.warn(`the planner's answer was rejected: ${err.message}`);
    }
  }
  throw new WorkFailedError(`The planner agent "${agent.name}" gave no valid plan in ${max} attempts. Last problem:\n${feedback}`, {
    hint: 'Write the tracks yourself and use `ym plan --from FILE`, or raise planner.maxAttempts.',
  });
}

/** The last ```json fenced block of an agent's output, or the output itself. */
export function extractJson(stdout: string): string {
  const blocks = [...stdout.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)];
  const last = blocks[blocks.length - 1];
  return last?.[1] ?? stdout;
}
