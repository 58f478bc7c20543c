// One attempt of an agent at a track: the lease, the prompt, the agent in its own process group
// with its output streamed to the run log, then the verdict: what it left is committed, and an
// attempt that changed nothing, crashed, timed out or left a rebase half-way is a failure.
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
import { addTrailers, commitLeftovers } from '../git/track-commits.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { buildImplementPrompt } from './prompt.js';
import { ActivityTracker } from './activity.js';
import { recordAgentExited, recordAttemptStarted } from './attempt-record.js';
import type { Usage, UsageFigures } from '../agents/adapters/types.js';
import { resumeCommand, sessionNotFound } from '../agents/resume.js';
import { mergeUsage, readUsageFile, USAGE_FILE_ENV } from '../agents/usage-file.js';
import { estimateCost } from '../agents/cost.js';
import { knowsAnything, USAGE_EVENT, USAGE_LIVE_EVENT } from '../core/usage.js';
import { UsageFileWatch, UsageRecorder } from './usage-record.js';
import { YmError } from '../core/errors.js';

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
  /**
   * Where this attempt's work starts: HEAD when the agent starts, or for an attempt that runs
   * again after an interruption the head it first started from (its earlier commits count).
   */
  since: string | null;
  /** The agent's usage so far (totals of this run, cost estimated where unknown), live: the run's budget. */
  onUsage?: (usage: Usage) => void;
  /**
   * The agent's own session to continue (src/flow/session.ts), with what it used so far: the
   * feedback (or, after an interruption, a word to go on) is its next message instead of the prompt.
   */
  session?: { id: string; before: UsageFigures } | null;
}

/** The next message of a resumed session when there is no feedback: it was cut short. */
export const CONTINUE_MESSAGE =
  'Your previous run was interrupted before it finished. The worktree is as you left it: continue the task from where you stopped, then commit your work.';

/** How often a running agent's $YM_USAGE_FILE is looked at. */
const USAGE_FILE_POLL_MS = 250;

export async function runAttempt(env: RunEnv, input: AttemptInput): Promise<AttemptOutcome> {
  const { ctx, store, git, config } = env;
  const { track, worktree, attempt, agent, runId } = input;
  const promptDir = path.join(env.promptsDir, track.id);
  mkdirSync(promptDir, { recursive: true });
  const promptFile = path.join(promptDir, `${runId}.md`);
  const prompt = buildImplementPrompt(env, {
    track,
    worktree,
    attempt,
    feedback: input.feedback,
    scope: input.scope,
  });
  writeFileSync(promptFile, prompt);
  const feedbackFile = input.feedback ? path.join(promptDir, `${runId}.feedback.md`) : null;
  if (feedbackFile) writeFileSync(feedbackFile, input.feedback!);

  // Interrupted or cancelled before its agent started (during the backoff, the set-up): no agent.
  if (ctx.signal.aborted) return { kind: 'interrupted', runId };
  if (input.cancel.aborted) return { kind: 'cancelled', runId };
  const headBefore = input.since ?? headOf(worktree) ?? (await revParse(git, 'HEAD', worktree));
  const session = input.session ?? null;
  const resumeArgv = session ? resumeCommand(agent, session.id) : null;
  const resumeFile = path.join(promptDir, `${runId}.resume.md`);
  if (resumeArgv) writeFileSync(resumeFile, input.feedback ?? CONTINUE_MESSAGE);
  // Recorded before the agent starts: a run killed from here on is resumed with this feedback,
  // and what it committed since headBefore is looked at before any agent runs again.
  recordAttemptStarted(store, track.id, runId, {
    attempt,
    feedback: input.feedback,
    headBefore,
    ...(resumeArgv && session ? { session: session.id } : {}),
  });
  const log = new RunLog(input.logFile);
  log.line(
    `=== attempt ${attempt}/${config.attempts} of ${track.id} with ${agent.name} (run ${runId})`,
  );
  // Usage: the output parser's live figures with the usage file's laid over them, priced.
  const usageFile = path.join(promptDir, `${runId}.usage.json`);
  const priced = (u: Usage) => estimateCost(u, config.prices, agent.name);
  let parsed: Usage = { costSource: null };
  let reported: Usage | null = null;
  const recorder = new UsageRecorder(
    (data) => store.appendEvent({ trackId: track.id, runId, type: USAGE_LIVE_EVENT, data }),
    () => ctx.clock.now().getTime(),
  );
  const live = () => {
    const u = priced(mergeUsage(parsed, reported));
    recorder.push(u);
    if (knowsAnything(u)) input.onUsage?.(u);
  };
  const watch = new UsageFileWatch(usageFile);
  const poll = setInterval(() => {
    const u = watch.poll();
    if (u === undefined) return;
    reported = u;
    live();
  }, USAGE_FILE_POLL_MS);
  const activity = new ActivityTracker(
    (text) =>
      store.appendEvent({ trackId: track.id, runId, type: 'agent.activity', data: { text } }),
    () => ctx.clock.now().getTime(),
  );
  const launch = (def: AgentDefinition, text: string, file: string, before?: UsageFigures) =>
    launchAgent(ctx, def, {
      prompt: text,
      promptFile: file,
      ...(before ? { parser: { sessionBefore: before } } : {}),
      cwd: worktree,
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
        [USAGE_FILE_ENV]: usageFile,
        ...(feedbackFile ? { YM_FEEDBACK_FILE: feedbackFile } : {}),
      },
      signal: AbortSignal.any([ctx.signal, input.cancel]),
      onSpawn: (pid) => store.setAgentPid(runId, pid),
      onOutput: (chunk) => log.write(chunk),
      onEvent: (event) => {
        if (event.kind === 'activity') activity.push(event.text);
        else if (event.kind === 'usage') {
          const { kind: _kind, ...u } = event;
          parsed = u;
          live();
        } else if (event.kind === 'denied')
          log.line(`[yardmaster] ${event.tool} was denied: ${event.text}`);
      },
    });
  let outcome;
  try {
    if (resumeArgv && session) {
      log.line(`=== continuing ${agent.name} session ${session.id}`);
      outcome = await launch(
        { ...agent, command: resumeArgv },
        input.feedback ?? CONTINUE_MESSAGE,
        resumeFile,
        session.before,
      );
      const gone =
        !ctx.signal.aborted &&
        !input.cancel.aborted &&
        outcome.exitCode !== 0 &&
        sessionNotFound(agent.name, {
          errorText: outcome.summary.errorText,
          stderr: outcome.stderr,
        });
      if (gone) {
        // The conversation is gone (another machine, a cleared config dir): the full prompt, afresh.
        log.line(
          `[yardmaster] ${agent.name} session ${session.id} cannot be resumed (not found); starting afresh with the full prompt`,
        );
        store.appendEvent({
          trackId: track.id,
          runId,
          type: 'agent.session-gone',
          data: { sessionId: session.id },
        });
        parsed = { costSource: null };
        reported = null;
        rmSync(usageFile, { force: true });
        outcome = await launch(agent, prompt, promptFile);
      }
    } else {
      outcome = await launch(agent, prompt, promptFile);
    }
  } finally {
    clearInterval(poll);
    activity.flush();
    // The agent's process group ended with it; a child that left the group (setsid, a daemon)
    // still carries this run's mark: nothing of an attempt outlives it.
    const strays = killRunOrphans(env.repo.stateDir, [runId]);
    if (strays) log.line(`[yardmaster] ended ${strays} process(es) the agent left running`);
  }
  store.setAgentPid(runId, null);
  const { summary } = outcome;
  // The run's usage, once: the parser's summary with the usage file laid over it, priced.
  let fromFile: Usage | null = null;
  try {
    fromFile = readUsageFile(usageFile);
  } catch (err) {
    log.line(`[yardmaster] ${err instanceof YmError ? err.message : String(err)}`);
  }
  const usage = priced(mergeUsage(summary.usage, fromFile));
  if (knowsAnything(usage)) {
    store.appendEvent({ trackId: track.id, runId, type: USAGE_EVENT, data: usage });
    input.onUsage?.(usage);
  }
  if (ctx.signal.aborted) return finish(env, log, { kind: 'interrupted', runId });
  if (input.cancel.aborted) return finish(env, log, { kind: 'cancelled', runId });
  const tail = `${outcome.stdout}${outcome.stderr}`.split('\n').slice(-40).join('\n');
  const verdict = judgeAgentExit(summary, outcome.exitCode);
  const exit = log.error
    ? { ok: false, reason: `could not write the run log: ${log.error}`, detail: '' }
    : outcome.timedOut
      ? {
          ok: false,
          reason: `the agent timed out after ${agent.timeoutSec} s and was killed`,
          detail: tail,
        }
      : !verdict.ok
        ? {
            ok: false,
            reason: verdict.reason ?? `the agent exited with code ${String(outcome.exitCode)}`,
            detail: summary.resultText ?? tail,
          }
        : { ok: true, reason: '', detail: tail };
  // The agent is done: a process killed from here on never runs this attempt's agent again.
  recordAgentExited(store, track.id, runId, exit);
  if (!exit.ok) return finish(env, log, failed(runId, exit.reason, exit.detail));
  return finish(
    env,
    log,
    await collectWork(env, {
      track,
      worktree,
      attempt,
      agent,
      runId,
      since: headBefore,
      detail: tail,
    }),
  );
}

/**
 * What an agent that exited 0 left, judged: a rebase or merge half-way is aborted (a failure),
 * uncommitted files are committed, every commit since `since` gets the track trailer, and no
 * change at all is a failure. Idempotent: run again on the same worktree it finds the same work
 * (resuming an attempt killed after its agent exited runs only this).
 */
export async function collectWork(
  env: RunEnv,
  input: {
    track: TrackRow;
    worktree: string;
    attempt: number;
    agent: AgentDefinition;
    runId: number;
    since: string;
    detail: string;
  },
): Promise<AttemptOutcome> {
  const { git } = env;
  const { track, worktree, attempt, agent, runId, since, detail } = input;
  // Exit 0 proves nothing by itself: look at what it left.
  const op = await operationInProgress(git, worktree);
  if (op) {
    await abortOperation(git, worktree, op);
    return failed(runId, `the agent left a ${op} in progress (aborted)`, detail);
  }
  const status = await checkoutStatus(git, worktree);
  const committed = await commitLeftovers(
    git,
    worktree,
    track.id,
    `chore(yardmaster): uncommitted work of ${agent.name} (attempt ${attempt})`,
    agent.scratchFiles,
    status.dirty,
  );
  const work = await addTrailers(git, worktree, since, track.id);
  // With commits in the range, the newest is HEAD; without, HEAD is what status saw (nothing
  // was committed: a commit would be in the range).
  const headAfter = work.head ?? (committed ? await revParse(git, 'HEAD', worktree) : status.head);
  if (headAfter === since) return failed(runId, 'the agent made no commit and no change', detail);
  if (headAfter === null)
    return failed(runId, 'the agent left the branch without a commit', detail);
  return { kind: 'done', runId, commits: work.commits, head: headAfter };
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
