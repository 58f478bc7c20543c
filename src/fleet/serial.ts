// One git-syncing step at a time in a worker process: fetches, the target's fast-forward, a
// branch's push and the whole merge step share the clone's refs, and git's ref locks race.
export class Serial {
  private chain: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
