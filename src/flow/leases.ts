// Whether a lease's holder still counts: its process is alive (on this host; another host's
// only its heartbeat can tell) and it renewed the lease recently. Pure, on the time passed in.

export interface LeaseFacts {
  pid: number;
  host: string;
  /** ISO time of the last renewal. */
  heartbeatAt: string;
}

export function leaseIsLive(
  lease: LeaseFacts,
  nowMs: number,
  staleAfterMs: number,
  isAlive: (pid: number, host: string) => boolean,
): boolean {
  return isAlive(lease.pid, lease.host) && Date.parse(lease.heartbeatAt) >= nowMs - staleAfterMs;
}
