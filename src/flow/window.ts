// The speculative queue's window (merge.speculate), pure: how many candidates are checked at
// once, which queued track takes the next place in the window (each place is built on top of
// the ones ahead of it), and how the window's size follows the queue's luck. The engine
// (src/engine/speculation.ts) builds and checks the candidates; the queue still lands one
// track at a time through src/flow/queue.ts, taking a candidate's checks only when it builds
// exactly the same commit on the target as it is then.

/** merge.speculate as written: "auto" or 1..16. */
export type SpeculateSetting = 'auto' | number;

/** The most candidates at once: `auto` is the machine's cores, 1 to 4 (a check is often a core's work). */
export function windowLimit(setting: SpeculateSetting, cores: number): number {
  if (setting === 'auto') return Math.max(1, Math.min(4, Math.floor(cores)));
  return Math.max(1, Math.min(16, Math.floor(setting)));
}

/**
 * The window's next size: halved on a setback (a failing or conflicting candidate: a run of
 * broken tracks does not burn `limit` check runs each), one more on a landing, within 1..limit.
 */
export function adaptWindow(size: number, event: 'landed' | 'setback', limit: number): number {
  const next = event === 'landed' ? size + 1 : Math.floor(size / 2);
  return Math.max(1, Math.min(limit, next));
}

export interface WindowTrack {
  id: string;
  dependsOn: readonly string[];
}

export interface NextSlotInput {
  /**
   * The tracks the queue may take, in its order (oldest first): ready, approved where they
   * must be, not paused, not passed over in this pass.
   */
  order: readonly WindowTrack[];
  /** Whether a track is merged (a dependency outside the window must be). */
  merged: (id: string) => boolean;
  /** The window so far, head first: each is built on top of the ones before it. */
  chain: readonly string[];
  /** Tracks predicted to leave the window (a known setback on the base they would get). */
  excluded: ReadonlySet<string>;
  /** The window's current size: how many of its places may have checks running at once. */
  size: number;
  /**
   * How many places of `chain` still have checks running (default: all of them). A place whose
   * checks passed waits for its turn to land holding no check: the next place is planned.
   */
  checking?: number;
  /** The most places at once, checked or waiting to land (default: `size`). */
  maxPlaces?: number;
}

/**
 * The track that takes the next place in the window, or null when it is full (as many checks
 * running as its size, or as many places as it may hold) or nothing fits:
 * the oldest one whose dependencies are merged or ahead of it in the window. With every
 * candidate ahead landing, this is the track the serial queue would take next, so the window
 * holds what the serial queue would check next, in its order.
 */
export function nextSlot(input: NextSlotInput): string | null {
  if ((input.checking ?? input.chain.length) >= input.size) return null;
  if (input.chain.length >= (input.maxPlaces ?? input.size)) return null;
  const inChain = new Set(input.chain);
  for (const t of input.order) {
    if (inChain.has(t.id) || input.excluded.has(t.id)) continue;
    if (t.dependsOn.every((d) => input.merged(d) || inChain.has(d))) return t.id;
  }
  return null;
}
