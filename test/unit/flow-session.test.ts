// Which conversation an attempt continues, rule by rule.
import { describe, expect, it } from 'vitest';
import { decideSession, type PastSession } from '../../src/flow/session.js';

const past = (agent: string, sessionId: string): PastSession => ({
  agent,
  sessionId,
  before: { inputTokens: 10 },
});
const base = { agent: 'claude', enabled: true, fresh: false, supported: true };

describe('decideSession', () => {
  const rows: [string, Partial<typeof base>, PastSession[], string][] = [
    ['no earlier session: fresh', {}, [], 'fresh'],
    [
      'the last session of the same agent: resumed',
      {},
      [past('claude', 's2'), past('claude', 's1')],
      'resume:s2',
    ],
    ['--fresh: fresh, and says so', { fresh: true }, [past('claude', 's1')], 'fresh:--fresh'],
    [
      'resume turned off: fresh, and says so',
      { enabled: false },
      [past('claude', 's1')],
      'fresh:agents.claude.resume is false',
    ],
    ['an agent without resume: fresh', { supported: false }, [past('claude', 's1')], 'fresh'],
    [
      'another agent had the last session: fresh',
      {},
      [past('codex', 't1')],
      "fresh:the last session was codex's",
    ],
  ];
  for (const [name, over, sessions, want] of rows) {
    it(name, () => {
      const d = decideSession({ ...base, ...over, sessions });
      expect(
        d.kind === 'resume' ? `resume:${d.sessionId}` : d.why ? `fresh:${d.why}` : 'fresh',
      ).toBe(want);
    });
  }
  it('hands on what the session used so far', () => {
    expect(decideSession({ ...base, sessions: [past('claude', 's1')] })).toEqual({
      kind: 'resume',
      sessionId: 's1',
      before: { inputTokens: 10 },
    });
  });
});
