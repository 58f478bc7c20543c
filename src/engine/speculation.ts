// The speculative queue's window in the local engine (merge.speculate > 1): while the queue
// lands its head one track at a time, the next candidates are built and checked at once, each
// on top of the ones ahead of it (Zuul's dependent pipeline, GitLab's merge trains). Which
// track takes which place, and the window's size, are src/flow/window.ts's decisions; the
// builds and checks are activities (src/merge/speculate.ts) in the queue's worktree pool.
//
// The window only ever supplies check reports. The queue builds each head's candidate itself,
// on the target as it is then, and takes a report only for that very commit and base (the
// builds are deterministic: the same branch on the same base is the same SHA); anything else
// (a build the window did not predict, a report that cannot stand for the commit) and the
// queue runs the checks itself, as the serial queue does. So the target only moves to a commit
// whose checks passed on that exact tree, and with deterministic checks the queue merges what
// the serial queue merges, in the same order.
import type { CheckReport } from '../checks/types.js';
import type { BuiltCandidate, LandingWindow } from '../merge/try-landing.js';
import { adaptWindow, nextSlot, type WindowTrack } from '../flow/window.js';
import { branchFor, type RunEnv } from '../runtime/env.js';
import { activities } from './activities.js';

interface Candidate {
  /** `<track>@<branch head>@<base>`: what the candidate is made of. */
  key: string;
  trackId: string;
  sha: string;
  built: BuiltCandidate;
  baseSha: string;
  slot: number;
  abort: AbortController;
  /** The report, or undefined when it cannot stand for the commit (stopped, moved...). */
  result: Promise<CheckReport | undefined>;
  settled: boolean;
}

/** What the window looks like now, head first (for the status view and --dry-run). */
export interface WindowPlace {
  trackId: string;
  sha: string;
  /** The tracks it is built on top of, head first. */
  after: string[];
  state: 'checking' | 'passed' | 'failed';
}

export class Speculator implements LandingWindow {
  size: number;
  /** Candidates with checks running or done, by key. */
  private readonly live = new Map<string, Candidate>();
  /** Finished reports by `<sha>@<base>`: what the queue may take. */
  private readonly reports = new Map<string, CheckReport>();
  /** The same reports by `<tree>@<base tree>`: what the checks judged (see treesOf). */
  private readonly treeReports = new Map<string, CheckReport>();
  /** Candidates whose checks ended, by key (a report that cannot stand for the commit: none). */
  private readonly finished = new Map<
    string,
    { sha: string; baseSha: string; built: BuiltCandidate; report: CheckReport | undefined }
  >();
  /** Keys whose build conflicted or whose checks failed: predicted to leave the window. */
  private readonly setbacks = new Set<string>();
  private order: readonly WindowTrack[] = [];
  private merged: (id: string) => boolean = () => false;
  private chain: Promise<void> = Promise.resolve();
  private places: WindowPlace[] = [];
  /** The tracks whose queue row shows a place in the window. */
  private shown = new Set<string>();
  private closed = false;
  /** Check runs started, and how many of them were stopped before the end. */
  readonly counts = { started: 0, stopped: 0, setbacks: 0 };

  constructor(
    private readonly env: RunEnv,
    readonly limit: number,
  ) {
    this.size = limit;
  }

  /** The window as last planned. */
  get window(): readonly WindowPlace[] {
    return this.places;
  }

  /**
   * Plans the window again for the queue as it is now (`order`: the tracks the queue may take,
   * in its order) and starts what is missing; stops every candidate the new plan has no place
   * for (its checks' process groups are killed). Calls run one after another.
   */
  refresh(order: readonly WindowTrack[], merged: (id: string) => boolean): Promise<void> {
    this.order = order;
    this.merged = merged;
    const next = this.chain.then(() => this.plan());
    this.chain = next.catch((err: unknown) => {
      this.env.report(null, `warning: speculation stopped for this pass: ${String(err)}`);
    });
    return this.chain;
  }

  /** The queue landed a track: the window grows by one (up to the limit). */
  landed(): void {
    this.size = adaptWindow(this.size, 'landed', this.limit);
  }

  /** The window's candidate of this branch head on this target, once its checks passed. */
  async passed(
    trackId: string,
    branchHead: string,
    targetSha: string,
  ): Promise<{ candidate: BuiltCandidate; report: CheckReport } | undefined> {
    const key = `${trackId}@${branchHead}@${targetSha}`;
    // The head's place was planned before (it was behind the one that just landed): a plan
    // still building the window's tail is waited for only when the window has nothing yet.
    if (!this.live.has(key) && !this.finished.has(key)) await this.chain;
    const running = this.live.get(key);
    if (running) await running.result;
    const done = this.finished.get(key);
    return done?.report?.ok ? { candidate: done.built, report: done.report } : undefined;
  }

  /**
   * The report of the checks on exactly `sha` built on `baseSha`, waiting for them when they
   * are running; undefined when the window has none (the queue then runs the checks itself).
   */
  async report(sha: string, baseSha: string): Promise<CheckReport | undefined> {
    const key = `${sha}@${baseSha}`;
    const find = () => [...this.live.values()].find((c) => c.sha === sha && c.baseSha === baseSha);
    if (!this.reports.has(key) && !find()) await this.chain;
    const done = this.reports.get(key);
    if (done) return done;
    const running = find();
    if (running) return await running.result;
    const trees = await this.treesOf(sha, baseSha);
    return trees ? this.treeReports.get(trees) : undefined;
  }

  /** Nothing checked or waiting yet: the first plan of a drain. */
  get empty(): boolean {
    return this.live.size === 0 && this.places.length === 0;
  }

  /** Stops every candidate and waits until their checks have ended. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    await this.stop([...this.live.values()]);
    this.show();
  }

  private async plan(): Promise<void> {
    if (this.closed || this.env.ctx.signal.aborted) return;
    const { git, config } = this.env;

    const chain: string[] = [];
    const shas: string[] = [];
    const excluded = new Set<string>();
    const keep = new Set<string>();
    const places: WindowPlace[] = [];
    // The target and every branch head at once: one process per plan, not one per place,
    // and one look (a landing between two looks would pair a new head with an old target).
    const heads = new Map(
      (
        await git([
          'for-each-ref',
          '--format=%(refname) %(objectname)',
          `refs/heads/${config.branchPrefix}`,
          `refs/heads/${config.target}`,
        ])
      )
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ') as [string, string]),
    );
    const target = heads.get(`refs/heads/${config.target}`);
    if (!target) return;
    let checking = 0;
    let premature = false;
    // The track takes the next place, on top of the ones before it.
    const take = (id: string, sha: string, state: WindowPlace['state']) => {
      chain.push(id);
      shas.push(sha);
      places.push({ trackId: id, sha, after: chain.slice(0, -1), state });
    };
    for (;;) {
      if (this.closed || this.env.ctx.signal.aborted) break;
      const id = nextSlot({
        order: this.order,
        merged: this.merged,
        chain,
        excluded,
        size: this.size,
        checking,
        // Places whose checks passed wait for their turn holding no check; the window plans
        // past them, up to twice its limit.
        maxPlaces: 2 * this.limit,
      });
      if (id === null) break;
      const base = shas.at(-1) ?? target;
      const head = heads.get(`refs/heads/${branchFor(config, id)}`);
      if (!head) {
        excluded.add(id);
        continue;
      }
      const key = `${id}@${head}@${base}`;
      if (this.setbacks.has(key)) {
        // Predicted to leave: the next track takes its place, on the same base.
        excluded.add(id);
        continue;
      }
      const have = this.live.get(key) ?? this.finished.get(key);
      if (have) {
        if (this.live.has(key)) keep.add(key);
        if (this.live.has(key) && !this.live.get(key)!.settled) checking++;
        take(id, have.sha, this.stateOf(key));
        continue;
      }
      // The queue is landing this track: the window starts no place for it (the queue builds
      // and checks its own when the window has none), nor any on top of it: what it lands is
      // the base of the next plan.
      const state = this.env.store.getTrack(id)?.state;
      if (state === 'merging') {
        // Landing without a place in the window (or it landed meanwhile): too early to tell
        // what the window holds; the next plan, after the landing, does.
        premature = true;
        break;
      }
      if (state !== 'ready') {
        excluded.add(id);
        continue;
      }
      // A place that needs a build and no free worktree: whatever the plan kept no place for
      // so far is stopped (its checks' process groups killed) and its worktree goes back to
      // the pool. The rest of the stale ones are stopped once the plan is complete.
      if (this.freeSlot() === null) {
        await this.stop([...this.live.values()].filter((c) => !keep.has(c.key)));
      }
      const slot = this.freeSlot();
      const track = this.env.store.getTrack(id);
      if (slot === null || !track) break;
      const worktree = await activities.queueWorktree(this.env, slot, base);
      const built = await activities.buildCandidate(this.env, {
        trackId: id,
        title: track.title,
        branch: branchFor(config, id),
        worktree,
        baseSha: base,
      });
      if (built.kind === 'conflict') {
        this.setback(key);
        excluded.add(id);
        continue;
      }
      const { candidate } = built;
      // The same tree on the same base tree was checked already (a forge's merge of the place
      // ahead has that place's tree, not its SHA): that report stands for this commit too.
      const trees = await this.treesOf(candidate.sha, base);
      const known = trees ? this.treeReports.get(trees) : undefined;
      if (known) {
        this.finished.set(key, {
          sha: candidate.sha,
          baseSha: base,
          built: candidate,
          report: known,
        });
        this.reports.set(`${candidate.sha}@${base}`, known);
        if (!known.ok) {
          this.setback(key);
          excluded.add(id);
          continue;
        }
        take(id, candidate.sha, 'passed');
        continue;
      }
      this.start(key, id, candidate, base, slot, worktree);
      checking++;
      keep.add(key);
      take(id, candidate.sha, 'checking');
    }
    if (premature) return;
    await this.stop([...this.live.values()].filter((c) => !keep.has(c.key)));
    this.places = places;
    this.show();
    this.env.store.appendEvent({
      type: 'merge.window',
      data: {
        size: this.size,
        limit: this.limit,
        target,
        places: places.map((p) => ({
          track: p.trackId,
          sha: p.sha,
          after: p.after,
          state: p.state,
        })),
      },
    });
  }

  /**
   * The window in the queue's rows (the status view's queue panel): each place's state and
   * what it is built on; a track that left the window is cleared. The head's own merge
   * (state merging) writes its steps itself.
   */
  private show(): void {
    const { store, config } = this.env;
    const texts = new Map(
      this.closed
        ? []
        : this.places.map((p) => {
            // What landed since is the target now.
            const after = p.after.filter((id) => store.getTrack(id)?.state !== 'merged');
            return [
              p.trackId,
              `${p.state === 'checking' ? 'checking ahead' : `${p.state} ahead`} on ${after.length ? after.join('+') : config.target}`,
            ];
          }),
    );
    for (const id of new Set([...this.shown, ...texts.keys()])) {
      if (store.getTrack(id)?.state !== 'ready') continue;
      const text = texts.get(id) ?? null;
      try {
        store.setQueueStep(id, text);
      } catch {
        // Left the queue meanwhile: nothing to show.
      }
    }
    this.shown = new Set(texts.keys());
  }

  /**
   * `<tree>@<base tree>` of a candidate: the checks judge the tree, and the built-in ones the
   * change from the base (its files, its plan, its markers), all of which the two trees fix.
   * The commits' own trailers and history are the same rebased commits either way.
   */
  private async treesOf(sha: string, base: string): Promise<string | null> {
    const out = await this.env
      .git(['rev-parse', `${sha}^{tree}`, `${base}^{tree}`], { reject: false })
      .catch(() => '');
    const [tree, baseTree] = out.split('\n');
    return tree && baseTree ? `${tree}@${baseTree}` : null;
  }

  private stateOf(key: string): WindowPlace['state'] {
    const done = this.finished.get(key);
    if (!done) return 'checking';
    return done.report?.ok ? 'passed' : 'failed';
  }

  private freeSlot(): number | null {
    const used = new Set([...this.live.values()].map((c) => c.slot));
    for (let slot = 1; slot <= this.limit; slot++) if (!used.has(slot)) return slot;
    return null;
  }

  private start(
    key: string,
    trackId: string,
    built: BuiltCandidate,
    baseSha: string,
    slot: number,
    worktree: string,
  ): Candidate {
    const { sha } = built;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    this.env.ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.counts.started++;
    const candidate: Candidate = {
      key,
      trackId,
      sha,
      built,
      baseSha,
      slot,
      abort,
      settled: false,
      result: Promise.resolve(undefined),
    };
    candidate.result = activities
      .checkCandidate(this.env, {
        trackId,
        worktree,
        sha,
        baseSha,
        base: built.base,
        signal: abort.signal,
      })
      .catch(() => undefined)
      .then(async (report) => {
        candidate.settled = true;
        this.env.ctx.signal.removeEventListener('abort', onAbort);
        // A report that came back stands, even when the plan gave up the place meanwhile.
        const stopped = report === undefined && abort.signal.aborted;
        if (report) this.reports.set(`${sha}@${baseSha}`, report);
        if (!stopped) this.finished.set(key, { sha, baseSha, built, report });
        this.env.store.appendEvent({
          trackId,
          type: 'merge.speculated',
          data: { sha, base: baseSha, ok: report?.ok ?? null, stopped },
        });
        // Its slot is free once its checks ended; a failure is a setback: the places after it
        // are built again without it.
        if (this.live.get(key) === candidate) this.live.delete(key);
        const place = this.places.find((p) => p.trackId === trackId && p.sha === sha);
        if (place && !stopped) {
          place.state = report?.ok ? 'passed' : 'failed';
          this.show();
        }
        if (report && !report.ok) this.setback(key);
        // A failure: the places after it are built again without it. A pass: its slot is free
        // while it waits for its turn, so the next place is planned now.
        if (!stopped && !this.closed) void this.refresh(this.order, this.merged);
        const trees = report ? await this.treesOf(sha, baseSha) : null;
        if (report && trees) this.treeReports.set(trees, report);
        return report;
      });
    this.live.set(key, candidate);
    return candidate;
  }

  private setback(key: string): void {
    if (this.setbacks.has(key)) return;
    this.setbacks.add(key);
    this.counts.setbacks++;
    this.size = adaptWindow(this.size, 'setback', this.limit);
  }

  private async stop(candidates: Candidate[]): Promise<void> {
    for (const c of candidates) {
      if (!c.settled) {
        this.counts.stopped++;
        c.abort.abort();
      }
    }
    await Promise.all(candidates.map((c) => c.result));
    for (const c of candidates) if (this.live.get(c.key) === c) this.live.delete(c.key);
  }
}
