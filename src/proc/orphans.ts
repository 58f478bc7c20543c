// Finding what a dead run left running. Agents are started with YM_RUN_ID in their environment,
// so even an agent whose pid was never recorded (the process that started it was killed before
// it could write the pid down) is found by that mark and its whole process group ended. The
// merge queue's checks carry YM_MERGE_HOLDER (the merge lock's holder) the same way.
import { readdirSync, readFileSync } from 'node:fs';
import { killTree } from './run.js';

export const MERGE_HOLDER_VARIABLE = 'YM_MERGE_HOLDER';
const NUL = Buffer.from([0]);

/** Pids of live processes whose environment carries one of these run ids (Linux /proc). */
export function processesOfRuns(runIds: readonly number[]): number[] {
  return processesMarked(runIds.map((id) => `YM_RUN_ID=${id}`));
}

/** Pids of live processes whose environment holds one of these `NAME=value` entries. */
function processesMarked(wanted: readonly string[]): number[] {
  if (process.platform !== 'linux' || wanted.length === 0) return [];
  const marks = wanted.map((w) => Buffer.from(`\0${w}\0`));
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = Buffer.concat([NUL, readFileSync(`/proc/${entry}/environ`), NUL]);
      if (marks.some((m) => env.includes(m))) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Kills the process groups (and the processes) of everything a set of runs left running. */
export function killRunOrphans(runIds: readonly number[]): number {
  return killAll(processesOfRuns(runIds));
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
