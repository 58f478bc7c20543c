// One attempt of an agent at a track: the lease, the prompt, the agent in its own process group
// with its output streamed to the run log, then the verdict: what it left is committed, and an
// attempt that changed nothing, crashed, timed out or left a rebase half-way is a failure.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { AgentDefinition } from '../agents/registry.js';
import { launchAgent } from '../agents/launch.js';
import { killRunOrphans, runMarks } from '../proc/orphans.js';
import { judgeAgentExit } from '../agents/adapters/index.js';
import { abortOperation, operationInProgress, revParse } from '../git/worktrees.js';
import { checkoutStatus } from '../git/status.js';
import { headOf } from '../git/files.js';
import type { TrackRow } from '../state/rows.js';
import { trackDocsPath } from '../tracks/files.js';
import { addTrailers, commitLeftovers } from './commit.js';
import { branchFor, type RunEnv } from './env.js';
import { buildImplementPrompt } from './prompt.js';
import { ActivityTracker } from './activity.js';

export type AttemptOutcome =
  | { kind: 'done'; runId: number; commits: number; head?: string }
  | { kind: 'failed'; runId: number; reason: string; detail: string }
  | { kind: 'interrupted'; runId: number }
  | { kind: 'cancelled'; runId: number };

export interface AttemptInput {
  track: TrackRow;
  worktree: string;
  attempt: number;
  agent: AgentDefinition;
  feedback: string | null;
  scope?: readonly string[] | undefined;
  runId: number;
  logFile: string;
  /** Aborted when the user cancels this track (a `request.cancel` event). */
  cancel: AbortSignal;
  /** Resuming an interrupted attempt: its earlier commits count as this attempt's work. */
  resumed: boolean;
}


export async function runAttempt(env: RunEnv, input: AttemptInput): Promise<AttemptOutcome> {
  const { ctx, store, git, config } = env;
  const { track, worktree, attempt, agent, runId } = input;
  const promptDir = path.join(env.promptsDir, track.id);
  mkdirSync(promptDir, { recursive: true });
  const promptFile = path.join(promptDir, `${runId}.md`);
  const prompt = buildImplementPrompt(env, { track, worktree, attempt, feedback: input.feedback, scope: input.scope });
  writeFileSync(promptFile, prompt);
  const feedbackFile = input.feedback ? path.join(promptDir, `${runId}.feedback.md`) : null;
  if (feedbackFile) writeFileSync(feedbackFile, input.feedback!);

  const headBefore = headOf(worktree) ?? (await revParse(git, 'HEAD', worktree));
  // What counts as "changed something": since this attempt started, or for a resumed attempt
  // since the branch left the target (the killed run may already have committed its work).
  const changedSince = input.resumed ? await git(['merge-base', `refs/heads/${config.target}`, 'HEAD'], { cwd: worktree }) : headBefore;
  const log = new RunLog(input.logFile);
  log.line(`=== attempt ${attempt}/${config.attempts} of ${track.id} with ${agent.name} (run ${runId})`);
  const activity = new ActivityTracker((text) => store.appendEvent({ trackId: track.id, runId, type: 'agent.activity', data: { text } }));
  let outcome;
  try {
    outcome = await launchAgent(ctx, agent, {
      cwd: worktree,
      prompt,
      promptFile,
      trackId: track.id,
      env: {
        YM_TRACK_ID: track.id,
        // Marks every process of this run, so recovery finds them even if the pid was never recorded.
        ...runMarks(env.repo.stateDir, runId),
        YM_TRACK_DIR: trackDocsPath(track.id),
        YM_PROMPT_FILE: promptFile,
        YM_ATTEMPT: String(attempt),
        YM_BRANCH: branchFor(config, track.id),
        YM_TARGET: config.target,
        ...(feedbackFile ? { YM_FEEDBACK_FILE: feedbackFile } : {}),
      },
      signal: AbortSignal.any([ctx.signal, input.cancel]),
      onSpawn: (pid) => store.setAgentPid(runId, pid),
      onOutput: (chunk) => log.write(chunk),
      onEvent: (event) => {
        if (event.kind === 'activity') activity.push(event.text);
        else if (event.kind === 'denied') log.line(`[yardmaster] ${event.tool} was denied: ${event.text}`);
      },
    });
  } finally {
    activity.flush();
    // The agent's process group ended with it; a child that left the group (setsid, a daemon)
    // still carries this run's mark: nothing of an attempt outlives it.
    const strays = killRunOrphans(env.repo.stateDir, [runId]);
    if (strays) log.line(`[yardmaster] ended ${strays} process(es) the agent left running`);
  }
  store.setAgentPid(runId, null);
  const { summary } = outcome;
  if (summary.inputTokens !== undefined || summary.costUsd !== undefined) {
    store.appendEvent({ trackId: track.id, runId, type: 'agent.usage', data: { inputTokens: summary.inputTokens ?? null, outputTokens: summary.outputTokens ?? null, costUsd: summary.costUsd ?? null } });
  }
  if (ctx.signal.aborted) return finish(env, log, { kind: 'interrupted', runId });
  if (input.cancel.aborted) return finish(env, log, { kind: 'cancelled', runId });
  if (log.error) return finish(env, log, failed(runId, `could not write the run log: ${log.error}`, ''));
  const tail = `${outcome.stdout}${outcome.stderr}`.split('\n').slice(-40).join('\n');
  if (outcome.timedOut) return finish(env, log, failed(runId, `the agent timed out after ${agent.timeoutSec} s and was killed`, tail));
  const verdict = judgeAgentExit(summary, outcome.exitCode);
  if (!verdict.ok) return finish(env, log, failed(runId, verdict.reason ?? `the agent exited with code ${String(outcome.exitCode)}`, summary.resultText ?? tail));
  // Exit 0 proves nothing by itself: look at what it left.
  const op = await operationInProgress(git, worktree);
  if (op) {
    await abortOperation(git, worktree, op);
    return finish(env, log, failed(runId, `the agent left a ${op} in progress (aborted)`, tail));
  }
  const status = await checkoutStatus(git, worktree);
  const committed = await commitLeftovers(git, worktree, track.id, `chore(yardmaster): uncommitted work of ${agent.name} (attempt ${attempt})`, agent.scratchFiles, status.dirty);
  const work = await addTrailers(git, worktree, changedSince, track.id);
  // With commits in the range, the newest is HEAD; without, HEAD is what status saw (nothing
  // was committed: a commit would be in the range).
  const headAfter = work.head ?? (committed ? await revParse(git, 'HEAD', worktree) : status.head);
  if (headAfter === changedSince) return finish(env, log, failed(runId, 'the agent made no commit and no change', tail));
  if (headAfter === null) return finish(env, log, failed(runId, 'the agent left the branch without a commit', tail));
  return finish(env, log, { kind: 'done', runId, commits: work.commits, head: headAfter });
}

function failed(runId: number, reason: string, detail: string): AttemptOutcome {
  return { kind: 'failed', runId, reason, detail };
}

function finish(env: RunEnv, log: RunLog, outcome: AttemptOutcome): AttemptOutcome {
  log.line(`=== ${outcome.kind}${outcome.kind === 'failed' ? `: ${outcome.reason}` : ''}`);
  log.close();
  return outcome;
}

/** The run log: every byte the agent printed. A write error (disk full) is kept, not thrown. */
class RunLog {
  private fd: number | null;
  error: string | null = null;
  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
  }
  write(chunk: Buffer | string): void {
    if (this.fd === null) return;
    try {
      if (typeof chunk === 'string') writeSync(this.fd, chunk);
      else writeSync(this.fd, chunk);
    } catch (err) {
      this.error = (err as NodeJS.ErrnoException).code ?? String(err);
      this.close();
    }
  }
  line(text: string): void {
    this.write(`${text}\n`);
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
