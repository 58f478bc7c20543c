// Finding what a dead run left running. Agents are started with YM_RUN_ID in their environment,
// so even an agent whose pid was never recorded (the process that started it was killed before
// it could write the pid down) is found by that mark and its whole process group ended.
import { readdirSync, readFileSync } from 'node:fs';
import { killTree } from './run.js';

/** Pids of live processes whose environment carries one of these run ids (Linux /proc). */
export function processesOfRuns(runIds: readonly number[]): number[] {
  if (process.platform !== 'linux' || runIds.length === 0) return [];
  const marks = new Set(runIds.map((id) => `YM_RUN_ID=${id}`));
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
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.some((v) => marks.has(v))) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Kills the process groups (and the processes) of everything a set of runs left running. */
export function killRunOrphans(runIds: readonly number[]): number {
  const pids = processesOfRuns(runIds);
  for (const pid of pids) {
    killTree(pid, 'SIGKILL', true);
    killTree(pid, 'SIGKILL', false);
  }
  return pids.length;
}
