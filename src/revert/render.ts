// What `ym revert` prints: the plan (commits, files, markers) before asking, the instructions
// when a conflict stops it, and the result; and the same as one JSON document with --json.
import type { Output } from '../cli/output.js';
import type { RevertJob } from './job.js';
import type { Landed } from './land.js';
import type { RevertPlan } from './plan.js';
import { describeSpec, type RevertSpec } from './spec.js';

const short = (sha: string) => sha.slice(0, 10);

export function planJson(plan: RevertPlan) {
  const { spec, selection: s } = plan;
  return {
    spec: spec.text,
    track: spec.trackId,
    scope: spec.scope,
    target: plan.target,
    targetSha: plan.targetSha,
    strategy: plan.strategy,
    mergedSha: plan.mergedSha,
    commits: s.targets,
    files: s.files,
    tasks: s.tasks,
    kept: s.kept,
    alreadyReverted: s.alreadyReverted,
    dependents: plan.dependents,
  };
}

export function printPlan(out: Output, plan: RevertPlan): void {
  const { c } = out;
  const s = plan.selection;
  const how = plan.strategy ? `merged by ${plan.strategy}` : 'merged';
  out.line(
    `${c.bold(`Revert ${describeSpec(plan.spec)}`)} on ${plan.target} (${how}${plan.mergedSha ? ` at ${short(plan.mergedSha)}` : ''}):`,
  );
  if (s.targets.length === 0) out.line('  no commit left to revert');
  else
    out.line(
      `  revert ${s.targets.length} commit${s.targets.length === 1 ? '' : 's'}, newest first:`,
    );
  for (const t of s.targets) {
    const kind = t.whole ? ` (${t.whole} commit, whole)` : '';
    const tasks = t.tasks.length ? c.dim(` [${t.tasks.join(', ')}]`) : '';
    out.line(`    ${c.yellow(short(t.sha))}  ${t.subject}${kind}${tasks}`);
    if (t.files.length) out.line(`                ${c.dim(t.files.join(', '))}`);
  }
  if (s.files.length) out.line(`  files: ${s.files.join(', ')}`);
  if (s.tasks.length)
    out.line(
      `  plan markers reset to [ ]: ${s.tasks.join(', ')}${plan.planPath ? c.dim(` (${plan.planPath})`) : ''}`,
    );
  for (const k of s.kept) out.line(c.dim(`  left alone: ${short(k.sha)}  ${k.subject} (${k.why})`));
  for (const r of s.alreadyReverted)
    out.line(c.dim(`  already reverted: ${short(r.sha)}  ${r.subject} (by ${short(r.by)})`));
  if (plan.dependents.length)
    out.line(
      `  ${c.yellow('note:')} merged tracks depend on ${plan.spec.trackId}: ${plan.dependents.join(', ')} (their changes stay)`,
    );
}

export interface StopInfo {
  job: RevertJob;
  sha: string;
  subject: string;
  paths: string[];
}

export function stopCommands(info: StopInfo) {
  const { job } = info;
  return {
    add: `git -C ${job.worktree} add ${info.paths.join(' ')}`,
    continue: `ym revert ${job.spec} --continue`,
    abort: `ym revert ${job.spec} --abort`,
  };
}

export function printStopped(out: Output, target: string, info: StopInfo): void {
  const cmd = stopCommands(info);
  out.line(
    `${out.c.red('Conflict:')} reverting ${short(info.sha)} ("${info.subject}") conflicted in: ${info.paths.join(', ')}`,
  );
  out.line(`The revert waits in ${info.job.worktree}; ${target} is unchanged.`);
  out.line('To finish: edit the conflicted files there, then');
  out.line(`  ${cmd.add}`);
  out.line(`  ${cmd.continue}`);
  out.line(
    out.c.dim(`(\`git -C ${info.job.worktree} rm <file>\` instead of add keeps a file deleted)`),
  );
  out.line('To give up:');
  out.line(`  ${cmd.abort}`);
}

export function printResult(
  out: Output,
  spec: RevertSpec,
  target: string,
  job: RevertJob | null,
  landed: Landed | null,
): void {
  const commits = job?.done.filter((d) => d.commit) ?? [];
  const markers = job?.resetTasks.length
    ? `, plan markers reset (${job.resetTasks.join(', ')})`
    : '';
  const where = landed
    ? `; ${target} is at ${short(landed.after)}${landed.url ? ` (${landed.url})` : ''}`
    : `; ${target} unchanged`;
  out.line(
    `${out.c.green('Reverted')} ${describeSpec(spec)} on ${target}: ${job?.done.length ?? 0} commit(s) undone in ${commits.length} revert commit(s)${markers}${where}.`,
  );
  for (const d of commits) out.line(`  ${short(d.commit!)}  reverts ${short(d.reverted)}`);
  out.line(
    spec.scope.kind === 'track'
      ? `Track ${spec.trackId} is now reverted.`
      : `Recorded as partially reverted; track ${spec.trackId} stays merged.`,
  );
}
