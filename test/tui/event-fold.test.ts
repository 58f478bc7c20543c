// Folding the event log into checks, activity, cancel requests and the session clock.
import { describe, expect, it } from 'vitest';
import { emptyFold, foldEvents, oneLine, stripControl } from '../../src/tui/event-fold.js';
import type { EventRow } from '../../src/state/rows.js';

let id = 0;
const ev = (
  type: string,
  trackId: string | null,
  data: unknown = {},
  runId: number | null = null,
): EventRow => ({
  id: ++id,
  at: `2025-01-01T00:00:${String(id).padStart(2, '0')}.000Z`,
  trackId,
  runId,
  type,
  data,
});

describe('foldEvents', () => {
  it('keeps the latest checks of each track, leniently parsed', () => {
    const fold = foldEvents(emptyFold(), [
      ev('checks.finished', 'a', {
        attempt: 1,
        ok: false,
        results: [
          { name: 'test', status: 'fail', exitCode: 1, durationMs: 1200, outputTail: 'boom' },
        ],
      }),
      ev('checks.finished', 'a', {
        attempt: 2,
        ok: true,
        results: [{ name: 'test', status: 'pass' }],
      }),
      ev('checks.finished', 'b', { results: 'not a list' }),
    ]);
    expect(fold.checks.get('a')).toMatchObject({
      attempt: 2,
      ok: true,
      results: [{ name: 'test', status: 'pass', exitCode: null, outputTail: '' }],
    });
    expect(fold.checks.has('b')).toBe(false);
    expect(fold.lastId).toBe(id);
  });

  it('records activity, and forgets it when a new attempt starts', () => {
    const fold = foldEvents(emptyFold(), [
      ev('agent.activity', 'a', { text: 'Editing \u001b[1msrc/x.ts\u001b[0m\n now' }),
    ]);
    expect(fold.activity.get('a')).toBe('Editing src/x.ts now');
    foldEvents(fold, [ev('run.started', 'a', {}, 7)]);
    expect(fold.activity.has('a')).toBe(false);
  });

  it('marks a cancel request until the track changes state', () => {
    const fold = foldEvents(emptyFold(), [ev('request.cancel', 'a', { by: 'status' })]);
    expect(fold.cancelRequested.has('a')).toBe(true);
    foldEvents(fold, [ev('track.state', 'a', { from: 'running', to: 'cancelled' })]);
    expect(fold.cancelRequested.has('a')).toBe(false);
  });

  it('starts the session clock at a run that starts when none is active', () => {
    const fold = emptyFold();
    const first = ev('run.started', 'a', {}, 1);
    foldEvents(fold, [first, ev('run.started', 'b', {}, 2), ev('run.finished', 'a', {}, 1)]);
    expect(fold.startedAt).toBe(first.at);
    foldEvents(fold, [ev('run.finished', 'b', {}, 2)]);
    const later = ev('run.started', 'c', {}, 3);
    foldEvents(fold, [later]);
    expect(fold.startedAt).toBe(later.at);
  });
});

describe('control characters', () => {
  it('strips escapes and control characters, keeps text and newlines', () => {
    expect(stripControl('\u001b[31mred\u001b[0m \u001b]0;title\u0007ok\r\nnext\u0000')).toBe(
      'red ok\nnext',
    );
    expect(stripControl('10%\r20%')).toBe('10%\n20%');
    expect(oneLine('  a\n\tb  ')).toBe('a b');
  });
});
