// Finding what a run left running. Agents are started with YM_RUN_ID and YM_RUN_SCOPE in their
// environment, so even an agent whose pid was never recorded (the process that started it was
// killed before it could write the pid down), or a child that left the agent's process group, is
// found by those marks and ended. Run ids count per repository, so the scope (the repository's
// state directory) keeps one repository's recovery away from another's agents. The merge queue's
// checks carry YM_MERGE_HOLDER (the merge lock's holder, unique per process) the same way.
import { readdirSync, readFileSync } from 'node:fs';
import { killTree } from './run.js';

export const MERGE_HOLDER_VARIABLE = 'YM_MERGE_HOLDER';
const NUL = Buffer.from([0]);

/** The environment that marks the processes of run `runId` of the repository whose state is in `scope`. */
export function runMarks(scope: string, runId: number): Record<string, string> {
  return { YM_RUN_ID: String(runId), YM_RUN_SCOPE: scope };
}

/** Pids of live processes of these runs of `scope` (Linux /proc). */
export function processesOfRuns(scope: string, runIds: readonly number[]): number[] {
  return processesMarked(
    runIds.map((id) => `YM_RUN_ID=${id}`),
    [`YM_RUN_SCOPE=${scope}`],
  );
}

/** Pids of live processes whose environment holds one of `anyOf` and every one of `allOf` (`NAME=value`). */
function processesMarked(anyOf: readonly string[], allOf: readonly string[] = []): number[] {
  if (process.platform !== 'linux' || anyOf.length === 0) return [];
  const entry = (w: string) => Buffer.from(`\0${w}\0`);
  const any = anyOf.map(entry);
  const all = allOf.map(entry);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const env = Buffer.concat([NUL, readFileSync(`/proc/${pid}/environ`), NUL]);
      if (any.some((m) => env.includes(m)) && all.every((m) => env.includes(m)))
        found.push(Number(pid));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Kills the process groups (and the processes) of everything a set of runs left running. */
export function killRunOrphans(scope: string, runIds: readonly number[]): number {
  return killAll(processesOfRuns(scope, runIds));
}

/** Kills what a dead merge left running: the checks started with its YM_MERGE_HOLDER. */
export function killMergeOrphans(holderId: string): number {
  return killAll(processesMarked([`${MERGE_HOLDER_VARIABLE}=${holderId}`]));
}

function killAll(pids: number[]): number {
  for (const pid of pids) {
    killTree(pid, 'SIGKILL', true);
    killTree(pid, 'SIGKILL', false);
  }
  return pids.length;
}
