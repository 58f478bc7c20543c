// What `ym revert` is asked to undo: `<id>` (the whole track), `<id>:phase<N>` (phase N and, as
// Conductor does, every phase after it) or `<id>:task<X.Y>` (one task and its sub-tasks). Pure.
import { UsageError } from '../core/errors.js';
import { assertTrackId } from '../core/track.js';

export type RevertScope =
  { kind: 'track' } | { kind: 'phase'; phase: number } | { kind: 'task'; task: string };

export interface RevertSpec {
  trackId: string;
  scope: RevertScope;
  /** As the user wrote it, normalised (`slugify:phase2`). */
  text: string;
}

const USAGE_HINT =
  'Use <id>, <id>:phase<N> or <id>:task<X.Y>, e.g. `ym revert slugify:phase2` or `ym revert slugify:task1.2`.';

export function parseRevertSpec(raw: string): RevertSpec {
  const [id = '', part, ...rest] = raw.trim().split(':');
  if (rest.length > 0)
    throw new UsageError(`"${raw}" is not something revert can undo.`, { hint: USAGE_HINT });
  assertTrackId(id);
  if (part === undefined) return { trackId: id, scope: { kind: 'track' }, text: id };
  const phase = /^phase(\d{1,4})$/i.exec(part);
  if (phase) {
    const n = Number(phase[1]);
    if (n < 1) throw new UsageError(`Phases are numbered from 1, not ${n}.`, { hint: USAGE_HINT });
    return { trackId: id, scope: { kind: 'phase', phase: n }, text: `${id}:phase${n}` };
  }
  const task = /^task(\d{1,4}(?:\.\d{1,4})+)$/i.exec(part);
  if (task?.[1])
    return { trackId: id, scope: { kind: 'task', task: task[1] }, text: `${id}:task${task[1]}` };
  throw new UsageError(`"${raw}": "${part}" is neither phase<N> nor task<X.Y>.`, {
    hint: USAGE_HINT,
  });
}

/** Whether undoing `scope` undoes the task with this id. */
export function covers(scope: RevertScope, taskId: string): boolean {
  switch (scope.kind) {
    case 'track':
      return true;
    case 'phase':
      return Number(taskId.split('.')[0]) >= scope.phase;
    case 'task':
      return taskId === scope.task || taskId.startsWith(`${scope.task}.`);
  }
}

/** "track slugify", "phases 2 and later of slugify", "task 1.2 of slugify". */
export function describeSpec(spec: RevertSpec): string {
  switch (spec.scope.kind) {
    case 'track':
      return `track ${spec.trackId}`;
    case 'phase':
      return `phase ${spec.scope.phase} and later phases of ${spec.trackId}`;
    case 'task':
      return `task ${spec.scope.task} of ${spec.trackId}`;
  }
}

/** The branch a revert is proposed on for a forge: `<prefix>revert-<id>[-phase<N>|-task<X.Y>]`. */
export function revertBranch(prefix: string, spec: RevertSpec): string {
  const suffix =
    spec.scope.kind === 'phase'
      ? `-phase${spec.scope.phase}`
      : spec.scope.kind === 'task'
        ? `-task${spec.scope.task}`
        : '';
  return `${prefix}revert-${spec.trackId}${suffix}`;
}
