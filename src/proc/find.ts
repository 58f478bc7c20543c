// Finds processes by a variable in their environment (Linux /proc): how recovery ends an agent
// whose pid a killed yardmaster never got to record (killed between spawn and the record). On
// systems without /proc it finds nothing, and recovery relies on the recorded pid alone.
import { readdirSync, readFileSync } from 'node:fs';

export function pidsWithEnv(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`), Buffer.from([0])]);
      if (environ.includes(needle)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or another user's.
    }
  }
  return pids;
}
