// Builders for the live view's data (StatusView, TrackView, TrackDetail, a track's Review for the
// diff pane) and a recording fake of its actions, so component tests state only what they are about.
import type { TrackState } from '../../src/state/lifecycle.js';
import { noUsage, sumUsage } from '../../src/core/usage.js';
import type { ActionResult, StatusActions } from '../../src/tui/actions.js';
import type { Review } from '../../src/review/gather.js';
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
    approve: (id, seenSha) =>
      Promise.resolve(
        record(seenSha === undefined ? `approve ${id}` : `approve ${id} at ${seenSha}`),
      ),
    reject: (id, reason) => Promise.resolve(record(`reject ${id}: ${reason}`)),
  };
}

/** Lets ink process input and effects. */
export const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ReviewFileSpec {
  path: string;
  /** The file's part of the unified diff, from its `diff --git` line. */
  patch: string;
  /** What it changes that yardmaster runs (makes it command-bearing), e.g. `checks[0].run`. */
  bearing?: string;
}

/** A track's review (what `ym review` gathers) over hand-written patches: +/- counted from them. */
export function reviewOf(
  id: string,
  files: ReviewFileSpec[],
  over: Partial<Review['doc']> = {},
): Review {
  const counted = files.map((f) => {
    const body = f.patch.split('\n').filter((l) => !/^(\+\+\+|---) /.test(l));
    return {
      path: f.path,
      status: 'modified' as const,
      added: body.filter((l) => l.startsWith('+')).length,
      deleted: body.filter((l) => l.startsWith('-')).length,
      binary: false,
      hunks: [],
      commandBearing: f.bearing !== undefined,
    };
  });
  return {
    doc: {
      track: {
        id,
        title: `Title of ${id}`,
        type: 'feature',
        state: 'ready',
        attempt: 1,
        maxAttempts: 3,
        agent: 'claude',
        reason: null,
        archived: false,
      },
      range: 'merge-base',
      target: { branch: 'main', sha: '9a8b7c6d5e4f'.padEnd(40, '0') },
      base: { sha: '0a1b2c3d4e5f'.padEnd(40, '0') },
      head: { sha: '1f2e3d4c5b6a'.padEnd(40, '0'), branch: `ym/${id}`, branchExists: true },
      landing: null,
      files: counted,
      totals: {
        files: counted.length,
        added: counted.reduce((s, f) => s + f.added, 0),
        deleted: counted.reduce((s, f) => s + f.deleted, 0),
        binary: 0,
      },
      commandBearing: files.flatMap((f) =>
        f.bearing === undefined
          ? []
          : [{ path: f.path, rule: 'config' as const, keys: [f.bearing], summary: f.bearing }],
      ),
      checks: null,
      plan: {
        source: 'branch',
        tasks: { pending: 0, in_progress: 0, done: 0, skipped: 0, blocked: 0, total: 0 },
        current: null,
        error: null,
      },
      usage: null,
      approval: null,
      ...over,
    },
    patches: files.map((f) => f.patch),
  };
}

/** A unified diff of one file: `added` new lines `<prefix> 1`, `<prefix> 2`, ... after one context line. */
export function patchOf(file: string, added: number, prefix = 'line'): string {
  return [
    `diff --git a/${file} b/${file}`,
    `--- a/${file}`,
    `+++ b/${file}`,
    `@@ -1,1 +1,${added + 1} @@`,
    ' first',
    ...Array.from({ length: added }, (_, i) => `+${prefix} ${i + 1}`),
  ].join('\n');
}
