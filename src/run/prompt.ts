// Builds the implement prompt from templates/prompts/implement.md: the track's spec and plan
// (read from its worktree), the workflow rules, the context documents and the last feedback.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderTemplate } from '../setup/templates.js';
import { readContextDocs } from '../planning/context-docs.js';
import { trackDocsPath } from '../tracks/files.js';
import type { TrackRow } from '../state/rows.js';
import { branchFor, type RunEnv } from '../runtime/env.js';

export interface PromptInput {
  track: TrackRow;
  worktree: string;
  attempt: number;
  feedback: string | null;
  scope?: readonly string[] | undefined;
}

function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

export function buildImplementPrompt(env: RunEnv, input: PromptInput): string {
  const dir = trackDocsPath(input.track.id);
  const docsRoot = env.repo.root;
  const { config } = env;
  const workflowFile = path.join(docsRoot, 'yardmaster', 'workflow.md');
  return renderTemplate('prompts/implement.md', {
    branch: branchFor(config, input.track.id),
    target: config.target,
    attempt: String(input.attempt),
    maxAttempts: String(config.attempts),
    title: input.track.title,
    trackId: input.track.id,
    trackDir: dir,
    spec: read(path.join(input.worktree, dir, 'spec.md')) || '(no spec)',
    plan: read(path.join(input.worktree, dir, 'plan.md')) || '(no plan)',
    scopeRule: input.scope?.length ? ` (its scope: ${input.scope.join(', ')})` : '',
    checks: config.checks.length
      ? config.checks.map((c) => c.name).join(', ')
      : 'the built-in checks',
    workflow: read(workflowFile) || '(no workflow document)',
    context: readContextDocs(docsRoot) || '(no context documents)',
    feedback: input.feedback
      ? `\n## What failed last time (fix this first)\n${input.feedback}\n`
      : '',
  });
}
