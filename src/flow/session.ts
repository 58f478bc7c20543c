// Which conversation an attempt's agent is given: the track's last session with the same agent
// (continued with the feedback as the next message), or a fresh prompt. Pure: the facts are
// what earlier runs recorded (their agent and session id) and the settings.

export interface PastSession {
  agent: string;
  sessionId: string;
  /** Its usage so far, summed over the runs that used it (codex reports the thread's totals). */
  before: {
    inputTokens?: number;
    outputTokens?: number;
    cacheReadTokens?: number;
    cacheWriteTokens?: number;
    costUsd?: number;
  };
}

export type SessionDecision =
  | { kind: 'resume'; sessionId: string; before: PastSession['before'] }
  | { kind: 'fresh'; why: string | null };

export function decideSession(input: {
  agent: string;
  /** `agents.<name>.resume` (default true). */
  enabled: boolean;
  /** `implement --fresh`. */
  fresh: boolean;
  /** The agent has a resume command (src/agents/resume.ts). */
  supported: boolean;
  /** The track's most recent session first. */
  sessions: readonly PastSession[];
}): SessionDecision {
  const last = input.sessions[0];
  if (!last) return { kind: 'fresh', why: null };
  if (input.fresh) return { kind: 'fresh', why: '--fresh' };
  if (!input.enabled) return { kind: 'fresh', why: `agents.${input.agent}.resume is false` };
  if (!input.supported) return { kind: 'fresh', why: null };
  if (last.agent !== input.agent)
    return { kind: 'fresh', why: `the last session was ${last.agent}'s` };
  return { kind: 'resume', sessionId: last.sessionId, before: last.before };
}
