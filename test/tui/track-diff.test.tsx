// The diff pane's layout and its window: a huge diff is cut once (with a line saying where the
// rest is), only the lines on screen are rendered, tabs become spaces to the next stop whatever
// the colour sequences, and the footer's position reads as a pager's.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { DiffView, diffPosition } from '../../src/tui/diff-view.js';
import { makeTheme } from '../../src/tui/theme.js';
import { MAX_DIFF_LINES, diffFailure, diffPane, expandTabs } from '../../src/tui/track-diff.js';
import { patchOf, reviewOf } from '../helpers/status-view.js';

const big = () =>
  diffPane(
    reviewOf('big', [
      { path: 'data.csv', patch: patchOf('data.csv', MAX_DIFF_LINES + 500, 'row') },
    ]),
    false,
  );

describe('diffPane', () => {
  it('cuts a diff past MAX_DIFF_LINES and says where the rest is', () => {
    const pane = big();
    expect(pane.lines).toHaveLength(MAX_DIFF_LINES + 1);
    // 2 lines of files and a blank, 5 of headers and context: the rest are rows.
    expect(pane.lines.at(-2)).toBe(`+row ${MAX_DIFF_LINES - 8}`);
    expect(pane.lines.at(-1)).toBe('… 508 more lines: `ym review big` shows the whole diff');
    expect(pane.title).toBe(
      `DIFF big · ym/big 1f2e3d4c5b6a against main 9a8b7c6d5e4f (merge-base 0a1b2c3d4e5f) · 1 file +${MAX_DIFF_LINES + 500} -0`,
    );
  });

  it('shows control characters from the branch instead of sending them to the terminal', () => {
    const pane = diffPane(
      reviewOf('evil', [{ path: 'a.txt', patch: patchOf('a.txt', 1, 'hi\u001b[2J\u202Ethere') }]),
      true,
    );
    const added = pane.lines.find((l) => l.includes('+hi'));
    expect(added).toBe('\u001b[32m+hi^[[2J<U+202E>there 1\u001b[39m');
  });

  it('a failure is one line, with the hint', () => {
    expect(diffFailure('x', new Error('git broke'))).toEqual({
      id: 'x',
      title: 'DIFF x',
      head: null,
      lines: [],
      error: 'git broke',
    });
  });
});

describe('expandTabs', () => {
  it.each([
    ['no tab', 'abc', 'abc'],
    ['at the start', '\tx', '        x'],
    ['after a +', '+\tx', '+       x'],
    ['two stops', 'ab\tcd\te', 'ab      cd      e'],
    ['colour does not count', '\u001b[32m+\tx\u001b[39m', '\u001b[32m+       x\u001b[39m'],
  ])('%s', (_what, line, expanded) => {
    expect(expandTabs(line)).toBe(expanded);
  });
});

describe('DiffView', () => {
  it('renders only the window on screen, from the offset', () => {
    const pane = big();
    const r = render(
      <DiffView trackId="big" diff={pane} height={12} offset={1000} theme={makeTheme(false)} />,
    );
    const lines = (r.lastFrame() ?? '').split('\n');
    r.unmount();
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(/^DIFF big · /);
    expect(lines[1]).toBe(pane.lines[1000]);
    expect(lines[11]).toBe(pane.lines[1010]);
  });

  it('says it is loading, or why there is nothing to show', () => {
    const loading = render(
      <DiffView trackId="a" diff={null} height={5} offset={0} theme={makeTheme(false)} />,
    );
    expect(loading.lastFrame()).toContain('loading the diff…');
    loading.unmount();
    const failed = render(
      <DiffView
        trackId="a"
        diff={diffFailure('a', new Error('no branch'))}
        height={5}
        offset={0}
        theme={makeTheme(false)}
      />,
    );
    expect(failed.lastFrame()).toContain('no diff to show: no branch');
    failed.unmount();
  });
});

describe('diffPosition', () => {
  const pane = diffPane(reviewOf('p', [{ path: 'p.ts', patch: patchOf('p.ts', 92) }]), false);
  it.each([
    [0, 30, 'lines 1-30 of 100'],
    [10, 30, 'lines 11-40 of 100'],
    [70, 30, 'lines 71-100 of 100 (end)'],
    [500, 30, 'lines 71-100 of 100 (end)'],
    [0, 200, 'lines 1-100 of 100 (all)'],
  ])('offset %i, %i rows: %s', (offset, rows, text) => {
    expect(pane.lines).toHaveLength(100);
    expect(diffPosition(pane, offset, rows)).toBe(text);
  });
  it('nothing while loading', () => {
    expect(diffPosition(null, 0, 30)).toBe('');
  });
});
