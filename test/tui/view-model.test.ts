// Pure arrangement of the live view: grouping, dependency order, filter, window, formats.
import { describe, expect, it } from 'vitest';
import {
  buildRows,
  dependencyDepths,
  dependencyOrder,
  formatElapsed,
  needsSeconds,
  progressBar,
  viewElapsed,
  windowStart,
} from '../../src/tui/view-model.js';
import { NOW, ago, track, view } from '../helpers/status-view.js';

describe('buildRows', () => {
  const tracks = [
    track('docs', 'planned', { dependsOn: ['core', 'api'] }),
    track('core', 'merged'),
    track('api', 'running', { dependsOn: ['core'] }),
    track('web', 'failed'),
  ];

  it('groups by state, what needs eyes first, with counts', () => {
    const rows = buildRows(tracks, 'state');
    expect(rows.map((r) => (r.kind === 'group' ? `[${r.label} ${r.count}]` : r.track.id))).toEqual([
      '[running 1]',
      'api',
      '[failed 1]',
      'web',
      '[planned 1]',
      'docs',
      '[merged 1]',
      'core',
    ]);
  });

  it('orders by dependencies with depth, ties in creation order', () => {
    const rows = buildRows(tracks, 'deps');
    expect(rows.map((r) => (r.kind === 'track' ? `${r.track.id}:${r.depth}` : '?'))).toEqual([
      'core:0',
      'api:1',
      'docs:2',
      'web:0',
    ]);
    expect(
      dependencyOrder([track('b', 'planned', { dependsOn: ['a'] }), track('a')]).map((t) => t.id),
    ).toEqual(['a', 'b']);
    expect(dependencyDepths(tracks).get('docs')).toBe(2);
  });

  it('filters by id or title, case-insensitively', () => {
    const rows = buildRows(
      [...tracks, track('x', 'planned', { title: 'Web CORE polish' })],
      'deps',
      'core',
    );
    expect(rows.map((r) => (r.kind === 'track' ? r.track.id : '?'))).toEqual(['core', 'x']);
    expect(buildRows(tracks, 'state', 'nothing')).toEqual([]);
  });

  it('still lists tracks caught in a dependency cycle', () => {
    const cyc = [
      track('a', 'planned', { dependsOn: ['b'] }),
      track('b', 'planned', { dependsOn: ['a'] }),
    ];
    expect(dependencyOrder(cyc).map((t) => t.id)).toEqual(['a', 'b']);
  });
});

describe('windowStart', () => {
  it('moves the window as little as possible to show the selection', () => {
    expect(windowStart(0, 5, 10, 200)).toBe(0);
    expect(windowStart(0, 10, 10, 200)).toBe(1);
    expect(windowStart(50, 45, 10, 200)).toBe(45);
    expect(windowStart(50, 55, 10, 200)).toBe(50);
    expect(windowStart(0, 199, 10, 200)).toBe(190);
    expect(windowStart(195, 199, 10, 200)).toBe(190);
    expect(windowStart(7, 3, 10, 5)).toBe(0);
  });
});

describe('formats', () => {
  it('elapsed', () => {
    expect(formatElapsed(0)).toBe('0s');
    expect(formatElapsed(42_900)).toBe('42s');
    expect(formatElapsed(59_999)).toBe('59s');
    expect(formatElapsed(185_000)).toBe('3m');
    expect(formatElapsed(2 * 3600_000 + 4 * 60_000)).toBe('2h04m');
    expect(formatElapsed(50 * 3600_000)).toBe('2d02h');
    expect(formatElapsed(-5)).toBe('0s');
  });

  it('progress bar', () => {
    expect(progressBar(0, 4, 8)).toBe('░░░░░░░░');
    expect(progressBar(1, 4, 8)).toBe('██░░░░░░');
    expect(progressBar(4, 4, 8)).toBe('████████');
    expect(progressBar(9, 4, 8)).toBe('████████');
    expect(progressBar(0, 0, 4)).toBe('░░░░');
  });

  it('the clock needs seconds only while something changed in the last minute', () => {
    expect(needsSeconds(view([track('a', 'running', { updatedAt: ago(120_000) })]), NOW)).toBe(
      false,
    );
    expect(needsSeconds(view([track('a', 'running', { updatedAt: ago(30_000) })]), NOW)).toBe(true);
    expect(
      needsSeconds(
        view([track('a', 'running', { updatedAt: ago(120_000) })], { startedAt: ago(20_000) }),
        NOW,
      ),
    ).toBe(true);
  });

  it('header elapsed runs while work is active and stops at the last event after', () => {
    const base = { startedAt: ago(600_000), lastEventAt: ago(60_000) };
    expect(viewElapsed(view([track('a', 'running')], base), NOW)).toBe(600_000);
    expect(viewElapsed(view([track('a', 'merged')], base), NOW)).toBe(540_000);
    expect(viewElapsed(view([track('a')]), NOW)).toBeNull();
  });
});
