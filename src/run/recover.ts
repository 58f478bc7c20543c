// Crash recovery: runs whose holder died (or stopped renewing its lease) are marked interrupted,
// whatever their agent left running is killed, and their tracks become resumable.
import { isActive } from '../state/lifecycle.js';
import { killTree } from '../proc/run.js';
import type { RunEnv } from './env.js';
import { isAliveHere } from './provision.js';
import { INTERRUPTED_VALIDATING } from './track-runner.js';

/** A lease not renewed for this long is stale even if its pid seems alive (another host, pid reuse). */
export const STALE_AFTER_MS = 30_000;

export function recoverInterrupted(env: RunEnv, staleAfterMs = STALE_AFTER_MS): string[] {
  const { store } = env;
  const recovered: string[] = [];
  for (const run of store.staleRuns({ staleAfterMs, isAlive: isAliveHere })) {
    // The agent ran in its own process group: end it, so nothing of a dead run keeps working.
    if (run.agentPid !== null) killTree(run.agentPid, 'SIGKILL', true);
    store.finishRun(run.id, { state: 'interrupted', reason: 'the process running it stopped' });
    const track = store.getTrack(run.trackId);
    if (track && isActive(track.state)) {
      const reason = track.state === 'validating' ? INTERRUPTED_VALIDATING : `interrupted while ${track.state}`;
      store.transition(track.id, 'interrupted', { from: track.state, reason, runId: run.id });
      recovered.push(track.id);
    }
  }
  // An active track with no running run and no recent change: its process died between steps.
  const live = new Set(
    store
      .listTracks()
      .filter((t) => isActive(t.state))
      .flatMap((t) => (store.listRuns(t.id).some((r) => r.state === 'running') ? [t.id] : [])),
  );
  const cutoff = env.ctx.clock.now().getTime() - staleAfterMs;
  for (const t of store.listTracks()) {
    if (isActive(t.state) && !live.has(t.id) && Date.parse(t.updatedAt) < cutoff) {
      store.transition(t.id, 'interrupted', { from: t.state, reason: `interrupted while ${t.state}` });
      recovered.push(t.id);
    }
  }
  return recovered;
}
