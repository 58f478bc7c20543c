// Builders for the live view's data (StatusView, TrackView, TrackDetail) and a recording fake of
// its actions, so component tests state only what they are about.
import type { TrackState } from '../../src/state/lifecycle.js';
import { noUsage, sumUsage } from '../../src/core/usage.js';
import type { ActionResult, StatusActions } from '../../src/tui/actions.js';
import type { TrackDetail } from '../../src/tui/track-detail.js';
import type { StatusView, TrackView } from '../../src/tui/view-model.js';

export const NOW = Date.parse('2025-01-01T12:00:00.000Z');
export const ago = (ms: number) => new Date(NOW - ms).toISOString();

export function track(
  id: string,
  state: TrackState = 'planned',
  over: Partial<TrackView> = {},
): TrackView {
  return {
    id,
    title: `Title of ${id}`,
    type: 'feature',
    state,
    dependsOn: [],
    waitingOn: [],
    attempt: 0,
    maxAttempts: 3,
    agent: null,
    branch: null,
    worktree: null,
    reason: null,
    mergedSha: null,
    updatedAt: ago(65_000),
    tasks: { pending: 2, in_progress: 0, done: 0, skipped: 0, blocked: 0, total: 2 },
    currentTask: { id: '1.1', text: 'Write failing test' },
    planSource: 'checkout',
    planError: null,
    docsMissing: false,
    conflicts: [],
    archived: false,
    activity: null,
    cancelRequested: false,
    usage: noUsage(),
    ...over,
  };
}

export function view(tracks: TrackView[], over: Partial<StatusView> = {}): StatusView {
  const counts: StatusView['counts'] = {};
  for (const t of tracks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  return {
    repository: '/home/dev/shop',
    target: 'main',
    provider: 'local',
    concurrency: 4,
    generatedAt: new Date(NOW).toISOString(),
    counts,
    tracks,
    usage: sumUsage([]),
    queue: [],
    queuePaused: false,
    startedAt: null,
    lastEventAt: null,
    checks: {},
    version: 1,
    ...over,
  };
}

export function detail(id: string, over: Partial<TrackDetail> = {}): TrackDetail {
  const branch = over.branch === undefined ? `ym/${id}` : over.branch;
  return {
    id,
    branch,
    worktree: `/home/dev/shop.yardmaster/${id}`,
    specSummary: `Spec summary of ${id}.`,
    plan: {
      title: id,
      phases: [
        {
          index: 1,
          title: 'Implement',
          line: 3,
          tasks: [
            {
              id: '1.1',
              text: 'Write failing test',
              marker: 'done',
              line: 4,
              depth: 0,
              children: [],
            },
            {
              id: '1.2',
              text: 'Implement it',
              marker: 'in_progress',
              line: 5,
              depth: 0,
              children: [],
            },
          ],
        },
      ],
    },
    planError: null,
    checks: null,
    logPath: null,
    commits: [],
    commitsOf: branch === null ? { kind: 'none' } : { kind: 'branch', branch },
    commitsError: null,
    ...over,
  };
}

export interface RecordedActions extends StatusActions {
  calls: string[];
}

export function recordingActions(
  answer: ActionResult = { ok: true, message: 'done' },
): RecordedActions {
  const calls: string[] = [];
  const record = (what: string) => {
    calls.push(what);
    return answer;
  };
  return {
    calls,
    retry: (id) => record(`retry ${id}`),
    cancel: (id) => record(`cancel ${id}`),
    enqueue: (id) => record(`enqueue ${id}`),
    togglePause: () => record('togglePause'),
    approve: (id) => Promise.resolve(record(`approve ${id}`)),
    reject: (id, reason) => Promise.resolve(record(`reject ${id}: ${reason}`)),
  };
}

/** Lets ink process input and effects. */
export const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));
