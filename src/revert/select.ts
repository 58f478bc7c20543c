// Which commits undo a track, a phase or a task, given what of the track is on the target.
// A merge or squash commit is undone whole when everything in it is to go, else through the
// commits it brought in; a commit doing tasks inside and outside the scope is never split
// (refused, with the scope that would cover it). Pure.
import { UsageError } from '../core/errors.js';
import { allTasks, type Plan } from '../core/plan-md.js';
import type { RevertAtom, RevertUnit, TrackHistory } from './history.js';
import { covers, describeSpec, type RevertSpec } from './spec.js';

export interface RevertTarget {
  sha: string;
  subject: string;
  tasks: string[];
  files: string[];
  /** `git revert -m 1` (a merge commit undone whole). */
  mainline?: 1;
  /** A merge or squash commit undone whole. */
  whole?: 'merge' | 'squash';
}

export interface RevertSelection {
  /** Newest first: the order they are reverted in. */
  targets: RevertTarget[];
  alreadyReverted: { sha: string; subject: string; by: string }[];
  /** The track's commits on the target that this revert leaves alone, and why. */
  kept: { sha: string; subject: string; why: string }[];
  /** Plan markers reset from `[x]` to `[ ]`. */
  tasks: string[];
  /** Every file the revert changes. */
  files: string[];
}

/** Checks that the phase or task exists in the track's plan (read from the target). */
export function assertInPlan(spec: RevertSpec, plan: Plan | null, target: string): void {
  const { scope, trackId } = spec;
  if (scope.kind === 'track') return;
  if (!plan) {
    throw new UsageError(
      `Track ${trackId} has no readable plan.md on ${target}, so its phases and tasks are unknown.`,
      {
        hint: `Revert the whole track instead: ym revert ${trackId}`,
      },
    );
  }
  if (scope.kind === 'phase' && !plan.phases.some((p) => p.index === scope.phase)) {
    const phases = plan.phases.map((p) => p.index).filter((n) => n > 0);
    throw new UsageError(`Track ${trackId} has no phase ${scope.phase}.`, {
      hint: `Its phases: ${phases.join(', ') || 'none'}.`,
    });
  }
  if (scope.kind === 'task' && !allTasks(plan).some((t) => t.id === scope.task)) {
    const ids = allTasks(plan).map((t) => t.id);
    throw new UsageError(`Track ${trackId} has no task ${scope.task}.`, {
      hint: `Its tasks: ${ids.slice(0, 30).join(', ')}${ids.length > 30 ? ', ...' : ''}.`,
    });
  }
}

export function selectTargets(
  spec: RevertSpec,
  history: TrackHistory,
  plan: Plan | null,
  target: string,
): RevertSelection {
  const { scope } = spec;
  const all = (tasks: string[]) => tasks.length > 0 && tasks.every((t) => covers(scope, t));
  const some = (tasks: string[]) => tasks.some((t) => covers(scope, t));
  const code = (a: RevertAtom) => a.files.length > 0;
  const out: RevertSelection = { targets: [], alreadyReverted: [], kept: [], tasks: [], files: [] };
  const keep = (a: RevertAtom, why?: string) =>
    out.kept.push({
      sha: a.sha,
      subject: a.subject,
      why: why ?? (a.tasks.length ? `task ${a.tasks.join(', ')}` : 'not attributed to a task'),
    });
  for (const unit of history.units) {
    const by = history.reverted.get(unit.sha);
    if (by) {
      out.alreadyReverted.push({ sha: unit.sha, subject: unit.subject, by });
      continue;
    }
    const atoms = unit.atoms?.filter(code) ?? null;
    const live = atoms?.filter((a) => !history.reverted.has(a.sha)) ?? null;
    for (const a of atoms ?? []) {
      const undoneBy = history.reverted.get(a.sha);
      if (undoneBy) out.alreadyReverted.push({ sha: a.sha, subject: a.subject, by: undoneBy });
    }
    const partlyUndone = atoms !== null && live !== null && live.length < atoms.length;
    if (!code(unit)) {
      keep(unit, 'changes only the track docs');
      continue;
    }
    const everything =
      scope.kind === 'track' ||
      (all(unit.tasks) && (atoms === null || atoms.every((a) => all(a.tasks))));
    if (everything && !partlyUndone) {
      out.targets.push(whole(unit));
      continue;
    }
    if (live !== null) {
      for (const a of live) {
        if (scope.kind === 'track' || all(a.tasks))
          out.targets.push({ sha: a.sha, subject: a.subject, tasks: a.tasks, files: a.files });
        else if (some(a.tasks)) throw splitError(spec, a);
        else keep(a);
      }
      continue;
    }
    if (some(unit.tasks)) throw splitError(spec, unit);
    keep(unit);
  }
  out.tasks = plan
    ? allTasks(plan)
        .filter((t) => covers(scope, t.id) && t.marker === 'done')
        .map((t) => t.id)
    : [];
  out.files = [...new Set(out.targets.flatMap((t) => t.files))].sort();
  if (out.targets.length === 0 && scope.kind !== 'track') {
    const undone = out.alreadyReverted.length ? ' that is not reverted already' : '';
    throw new UsageError(
      `Nothing to revert: no commit of ${describeSpec(spec)} is on ${target}${undone}.`,
      {
        hint: out.kept.some((k) => k.why === 'not attributed to a task')
          ? `Commits without a Yardmaster-Task trailer or a plan.md tick cannot be told apart by task; revert the whole track with \`ym revert ${spec.trackId}\`.`
          : `See what is on it: git log --grep "Yardmaster-Track: ${spec.trackId}" ${target}`,
      },
    );
  }
  return out;
}

function whole(unit: RevertUnit): RevertTarget {
  return {
    sha: unit.sha,
    subject: unit.subject,
    tasks: unit.tasks,
    files: unit.files,
    ...(unit.kind === 'merge'
      ? { mainline: 1 as const, whole: 'merge' as const }
      : unit.kind === 'squash'
        ? { whole: 'squash' as const }
        : {}),
  };
}

function splitError(spec: RevertSpec, a: RevertAtom | RevertUnit): UsageError {
  const phase = Math.min(
    ...a.tasks.map((t) => Number(t.split('.')[0])).filter((n) => Number.isFinite(n)),
  );
  const squashed = 'kind' in a && a.kind === 'squash';
  const what = squashed
    ? `${a.sha.slice(0, 12)} squashes tasks ${a.tasks.join(', ')} of ${spec.trackId} into one commit and its own commits are not recorded`
    : `Commit ${a.sha.slice(0, 12)} ("${a.subject}") does tasks ${a.tasks.join(', ')} together`;
  return new UsageError(
    `${what}; ${spec.text} covers only some of them, and revert never splits a commit.`,
    {
      hint:
        squashed || !Number.isFinite(phase)
          ? `Revert the whole track instead: ym revert ${spec.trackId}`
          : `Revert a scope that covers all of them (ym revert ${spec.trackId}:phase${phase}), or the whole track.`,
    },
  );
}
