// What state.db says about an interrupted attempt (src/run/attempt-record.ts), read back for the
// resume decision: the run in which the attempt's agent started counts, not a later run of the
// same attempt that only validated its work before it was killed in turn.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateStore, type StateStore } from '../../src/state/index.js';
import {
  recordAgentExited,
  recordAttemptStarted,
  resumeFacts,
} from '../../src/run/attempt-record.js';
import { decideResume } from '../../src/flow/resume.js';
import { retryTrack } from '../../src/manage/retry.js';

let dir: string;
let store: StateStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-resume-'));
  store = openStateStore(path.join(dir, 'yardmaster'));
  store.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
  store.transition('a', 'queued');
  store.transition('a', 'provisioning');
  store.transition('a', 'running', { patch: { attempt: 2 } });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (attempt: number) =>
  store.startRun({
    trackId: 'a',
    attempt,
    agent: 'bot',
    logDir: dir,
    pid: process.pid,
    host: os.hostname(),
  });
const interrupt = (id: number) =>
  store.finishRun(id, { state: 'interrupted', reason: 'the process running it stopped' });

describe('resumeFacts', () => {
  it('a run that only validated the attempt does not hide the run its agent started in', () => {
    const first = run(2);
    recordAttemptStarted(store, 'a', first.id, {
      attempt: 2,
      feedback: 'the test failed',
      headBefore: 'h1',
    });
    interrupt(first.id);
    // The resumed run validated what the agent had committed, and was killed before the checks ended.
    interrupt(run(2).id);
    const facts = resumeFacts(store, 'a', { worktree: null, interruptedValidating: false });
    expect(facts.last?.started).toEqual({ feedback: 'the test failed', headBefore: 'h1' });
    // No head to compare (no worktree here): the attempt runs again, with its own feedback.
    expect(decideResume(facts)).toEqual({ kind: 'run', attempt: 2, feedback: 'the test failed' });
  });

  it("an agent's exit is read from the run it started in", () => {
    const first = run(2);
    recordAttemptStarted(store, 'a', first.id, { attempt: 2, feedback: null, headBefore: 'h1' });
    recordAgentExited(store, 'a', first.id, { ok: true, reason: '', detail: 'x'.repeat(20_000) });
    interrupt(first.id);
    interrupt(run(2).id);
    const facts = resumeFacts(store, 'a', { worktree: null, interruptedValidating: true });
    expect(facts.last?.exited?.ok).toBe(true);
    expect(facts.last?.exited?.detail.length).toBeLessThanOrEqual(8_000);
    expect(decideResume(facts)).toMatchObject({
      kind: 'validate',
      finished: true,
      headBefore: 'h1',
    });
  });

  it('a run of an earlier attempt is not this attempt: the pending feedback goes to the new one', () => {
    const old = run(1);
    recordAttemptStarted(store, 'a', old.id, { attempt: 1, feedback: null, headBefore: 'h0' });
    store.finishRun(old.id, { state: 'failed', reason: 'checks failed' });
    store.appendEvent({
      trackId: 'a',
      runId: old.id,
      type: 'track.feedback',
      data: { text: 'attempt 1 failed its test' },
    });
    interrupt(run(2).id); // killed in the backoff, before attempt 2's agent started
    expect(
      decideResume(resumeFacts(store, 'a', { worktree: null, interruptedValidating: false })),
    ).toEqual({ kind: 'run', attempt: 2, feedback: 'attempt 1 failed its test' });
  });

  it('a retried track interrupted before its first new agent started: the retry feedback, not an old run', () => {
    // Attempt 1 of the earlier round: the agent failed, then the track failed for good.
    const old = run(1);
    recordAttemptStarted(store, 'a', old.id, { attempt: 1, feedback: null, headBefore: 'h0' });
    recordAgentExited(store, 'a', old.id, { ok: false, reason: 'exit 1', detail: 'old' });
    store.finishRun(old.id, { state: 'failed', reason: 'exit 1' });
    store.transition('a', 'failed', { reason: 'out of attempts' });
    retryTrack(store, 'a', 'retried (--retry)');
    // The retried run was killed while provisioning (the counter is still 0).
    store.transition('a', 'provisioning');
    interrupt(run(1).id);
    store.transition('a', 'interrupted', { reason: 'interrupted while provisioning' });
    const facts = resumeFacts(store, 'a', { worktree: null, interruptedValidating: false });
    expect(decideResume(facts)).toEqual({
      kind: 'run',
      attempt: 1,
      feedback: expect.stringMatching(
        /^This track failed before it was retried/,
      ) as unknown as string,
    });
  });
});
