// The revert plan (what would be undone, read from the target, the merge record and the plan),
// and the record a landed revert leaves in state.db: the track `reverted`, or a
// `track.partially_reverted` event for a phase or task (the track stays `merged`).
import { UsageError } from '../core/errors.js';
import { parsePlan, type Plan } from '../core/plan-md.js';
import { readBlobs } from '../git/plans.js';
import { lastMergeRecord } from '../merge/record.js';
import type { RunEnv } from '../runtime/env.js';
import type { TrackRow } from '../state/rows.js';
import { docsPaths, readTrackHistory } from './history.js';
import type { RevertJob } from './job.js';
import type { Landed } from './land.js';
import { assertInPlan, selectTargets, type RevertSelection } from './select.js';
import type { RevertSpec } from './spec.js';

export interface RevertPlan {
  spec: RevertSpec;
  target: string;
  targetSha: string;
  strategy: string | null;
  mergedSha: string | null;
  selection: RevertSelection;
  /** Where the track's plan.md is on the target (in place or archived); null without one. */
  planPath: string | null;
  /** Merged tracks that depend on this one: their changes stay. */
  dependents: string[];
}

export function assertMerged(track: TrackRow, target: string): void {
  if (track.state === 'merged') return;
  const hint =
    track.state === 'reverted'
      ? 'It was reverted already; `ym status` shows it.'
      : ['running', 'provisioning', 'validating', 'queued'].includes(track.state)
        ? `Stop it with \`ym cancel ${track.id}\`; nothing of it is on ${target}.`
        : `Only merged tracks can be reverted.`;
  throw new UsageError(
    `Track ${track.id} is ${track.state}, not merged: there is nothing of it on ${target} to revert.`,
    { hint },
  );
}

export async function planRevert(
  env: RunEnv,
  spec: RevertSpec,
  track: TrackRow,
  targetSha: string,
): Promise<RevertPlan> {
  const { git, store, config, ctx } = env;
  const record = lastMergeRecord(store, track.id);
  const history = await readTrackHistory({
    git,
    run: ctx.run,
    trackId: track.id,
    target: config.target,
    targetSha,
    mergedSha: track.mergedSha,
    record,
  });
  const specs = docsPaths(track.id).map((d) => `${targetSha}:${d}/plan.md`);
  const blobs = await readBlobs(ctx.run, git.cwd, specs);
  let planPath: string | null = null;
  let plan: Plan | null = null;
  for (const s of specs) {
    const text = blobs.get(s);
    if (text === null || text === undefined) continue;
    planPath = s.slice(targetSha.length + 1);
    try {
      plan = parsePlan(text, planPath);
    } catch {
      plan = null;
    }
    break;
  }
  assertInPlan(spec, plan, config.target);
  return {
    spec,
    target: config.target,
    targetSha,
    strategy: record?.strategy ?? null,
    mergedSha: track.mergedSha,
    selection: selectTargets(spec, history, plan, config.target),
    planPath,
    dependents: store
      .listTracks()
      .filter((t) => t.state === 'merged' && t.dependsOn.includes(track.id))
      .map((t) => t.id),
  };
}

/** Same commits, same order: what was shown is what will be done. */
export function samePlan(a: RevertPlan, b: RevertPlan): boolean {
  const key = (p: RevertPlan) =>
    `${p.selection.targets.map((t) => `${t.sha}:${t.mainline ?? 0}`).join(',')}|${p.selection.tasks.join(',')}`;
  return key(a) === key(b);
}

export function recordRevert(
  env: RunEnv,
  spec: RevertSpec,
  job: RevertJob | null,
  landed: Landed | null,
): void {
  const { store, config } = env;
  const data = {
    spec: spec.text,
    reverted: job?.done.map((d) => d.reverted) ?? [],
    commits: job?.done.flatMap((d) => (d.commit ? [d.commit] : [])) ?? [],
    tasks: job?.resetTasks ?? [],
    targetBefore: landed?.before ?? null,
    targetAfter: landed?.after ?? null,
    ...(landed?.url ? { url: landed.url } : {}),
  };
  if (spec.scope.kind === 'track') {
    const at = landed ? ` at ${landed.after.slice(0, 12)}` : '';
    store.transition(spec.trackId, 'reverted', {
      from: 'merged',
      reason: `reverted on ${config.target}${at}`,
      data,
    });
  } else {
    store.appendEvent({
      trackId: spec.trackId,
      type: 'track.partially_reverted',
      data: { ...data, scope: spec.scope },
    });
  }
}
