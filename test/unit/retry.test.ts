// Retrying a track (src/manage/retry.ts) and the feedback its next agent gets
// (pendingFeedback in src/engine/track-loop.ts), on a real state.db.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateConflictError, openStateStore, type StateStore } from '../../src/state/index.js';
import { canRetry, retryTrack } from '../../src/manage/retry.js';
import { recordAttemptStarted } from '../../src/run/attempt-record.js';
import { pendingFeedback } from '../../src/engine/track-loop.js';

let dir: string;
let store: StateStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ym-retry-'));
  store = openStateStore(path.join(dir, 'yardmaster'));
  store.upsertTrackDefinitions([{ id: 'a', title: 'A', type: 'feature', dependsOn: [] }]);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Walks `a` to `to` through the states a run takes, attempt 3 of 3. */
function reach(to: 'failed' | 'conflicted', reason: string): void {
  store.transition('a', 'queued');
  store.transition('a', 'provisioning');
  store.transition('a', 'running', { patch: { attempt: 3 } });
  if (to === 'failed') {
    store.transition('a', 'failed', { reason });
    return;
  }
  store.transition('a', 'validating');
  store.transition('a', 'ready');
  store.transition('a', 'merging');
  store.transition('a', 'conflicted', { reason });
}

describe('retry', () => {
  it('queues a failed track with fresh attempts and the failure as feedback, delivered once an agent runs', () => {
    reach('failed', 'checks failed: test');
    expect(pendingFeedback({ store }, 'a')).toBeNull();
    retryTrack(store, 'a', 'retried (--retry)');
    expect(store.getTrack('a')).toMatchObject({
      state: 'queued',
      attempt: 0,
      reason: 'retried (--retry)',
    });
    expect(pendingFeedback({ store }, 'a')).toBe(
      'This track failed before it was retried: checks failed: test.\nFix what made it fail, and commit.',
    );
    // A run that stops before its agent starts (killed while provisioning) leaves it pending.
    const run = () =>
      store.startRun({
        trackId: 'a',
        attempt: 1,
        agent: 'scripted',
        logDir: dir,
        pid: process.pid,
        host: os.hostname(),
      });
    run();
    store.transition('a', 'provisioning');
    store.transition('a', 'interrupted', { reason: 'interrupted while provisioning' });
    expect(pendingFeedback({ store }, 'a')).toMatch(/^This track failed before it was retried/);
    // Reaching `running` is not enough (killed while the prompt was written): still pending.
    const second = run();
    store.transition('a', 'provisioning');
    store.transition('a', 'running');
    expect(pendingFeedback({ store }, 'a')).toMatch(/^This track failed before it was retried/);
    // Once an agent started with it, it is delivered.
    recordAttemptStarted(store, 'a', second.id, {
      attempt: 1,
      feedback: pendingFeedback({ store }, 'a'),
      headBefore: 'abc',
    });
    expect(pendingFeedback({ store }, 'a')).toBeNull();
  });

  it("hands on the last attempt's own feedback (the failed check and its output) when the run kept it", () => {
    store.transition('a', 'queued');
    store.transition('a', 'provisioning');
    store.transition('a', 'running', { patch: { attempt: 3 } });
    const detail =
      'The checks failed on commit 0123456789ab.\n\n### Check "test": fail (exit code 1)\n```\nexpected 2, got 3\n```';
    store.transition('a', 'failed', {
      reason: 'out of attempts (3); last: checks failed: test',
      data: { feedback: detail },
    });
    retryTrack(store, 'a', 'retried (--retry)');
    expect(pendingFeedback({ store }, 'a')).toBe(
      `This track failed before it was retried: out of attempts (3); last: checks failed: test.\n\n${detail}\n\nFix what made it fail, and commit.`,
    );
  });

  it('tells a conflicted track to rebase onto the target, and refuses other states', () => {
    reach('conflicted', 'conflicts with main in shared.txt');
    retryTrack(store, 'a', 'retried from status');
    expect(pendingFeedback({ store }, 'a')).toMatch(
      /^Merging this track stopped: it conflicts with main in shared\.txt\.\nRebase your branch onto the target branch \(\$YM_TARGET/,
    );
    expect(canRetry('queued')).toBe(false);
    // Queued now: a second retry (another process was first) changes nothing.
    const events = store.listEvents({ trackId: 'a' }).length;
    expect(() => retryTrack(store, 'a', 'again')).toThrow(StateConflictError);
    expect(store.listEvents({ trackId: 'a' }).length).toBe(events);
  });
});
