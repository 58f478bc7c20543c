// Track lifecycle: the states a track moves through and which moves are legal (PRODUCT.md,
// "Track lifecycle"). Pure: the store enforces it inside the transaction that changes state.

export const TRACK_STATES = [
  'planned',
  'queued',
  'provisioning',
  'running',
  'validating',
  'ready',
  'merging',
  'merged',
  'failed',
  'conflicted',
  'blocked',
  'cancelled',
  'reverted',
  'interrupted',
] as const;

export type TrackState = (typeof TRACK_STATES)[number];

export const ALLOWED_TRANSITIONS: Readonly<Record<TrackState, readonly TrackState[]>> = {
  planned: ['queued', 'cancelled', 'blocked'],
  queued: ['provisioning', 'cancelled', 'blocked', 'planned'],
  provisioning: ['running', 'failed', 'interrupted', 'cancelled'],
  running: ['validating', 'failed', 'interrupted', 'cancelled'],
  // validating -> running is the quality loop: checks failed, attempts remain.
  validating: ['running', 'ready', 'failed', 'interrupted', 'cancelled'],
  ready: ['merging', 'cancelled', 'queued', 'running'],
  // merging -> ready: the queue gave up its turn (e.g. target moved); -> queued: the checks failed on
  // the rebased head and the agent gets another attempt; -> running: conflict handed to the agent.
  merging: ['merged', 'conflicted', 'failed', 'ready', 'interrupted', 'running', 'queued'],
  merged: ['reverted'],
  failed: ['queued', 'cancelled'],
  conflicted: ['queued', 'running', 'cancelled'],
  blocked: ['queued', 'planned', 'cancelled'],
  cancelled: ['queued', 'planned'],
  reverted: ['queued', 'planned'],
  interrupted: ['queued', 'running', 'provisioning', 'cancelled', 'failed'],
};

const TERMINAL: ReadonlySet<TrackState> = new Set<TrackState>([
  'merged',
  'failed',
  'conflicted',
  'blocked',
  'cancelled',
  'reverted',
]);

const ACTIVE: ReadonlySet<TrackState> = new Set<TrackState>([
  'provisioning',
  'running',
  'validating',
  'merging',
]);

const ALL: ReadonlySet<string> = new Set<string>(TRACK_STATES);

export function isTrackState(value: unknown): value is TrackState {
  return typeof value === 'string' && ALL.has(value);
}

export function canTransition(from: TrackState, to: TrackState): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** No work will happen on its own from here; a user action (retry, re-plan) is needed. */
export function isTerminal(state: TrackState): boolean {
  return TERMINAL.has(state);
}

/** A process is (or should be) working on it right now. */
export function isActive(state: TrackState): boolean {
  return ACTIVE.has(state);
}
