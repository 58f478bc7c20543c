// The key reducer of the live view, for the diff pane (`d`): which keys open it, scroll it and
// close it, as a table of (state, key) -> state, with no terminal and no React.
import { describe, expect, it } from 'vitest';
import { press, type KeyPress } from '../../src/tui/keys.js';
import {
  initialUi,
  reduceKey,
  scrollDiff,
  type UiEnv,
  type UiState,
} from '../../src/tui/ui-state.js';
import { track } from '../helpers/status-view.js';

const tracks = [track('api', 'running'), track('web', 'ready'), track('docs', 'planned')];

/** 100 lines of diff, 20 on screen: the bottom window starts at line 80. */
const env = (over: Partial<UiEnv> = {}): UiEnv => ({
  tracks,
  log: null,
  listRows: 10,
  logRows: 10,
  diffLines: 100,
  diffRows: 20,
  ...over,
});

const inDiff = (over: Partial<UiState> = {}): UiState => ({
  ...initialUi(),
  mode: 'diff',
  selectedId: 'web',
  diffFrom: 'list',
  ...over,
});

const K = {
  j: press('j'),
  k: press('k'),
  down: press('', { down: true }),
  up: press('', { up: true }),
  space: press(' '),
  b: press('b'),
  pgDn: press('', { pageDown: true }),
  pgUp: press('', { pageUp: true }),
  g: press('g'),
  G: press('G'),
  home: press('', { home: true }),
  end: press('', { end: true }),
  q: press('q'),
  d: press('d'),
  esc: press('', { escape: true }),
  enter: press('', { return: true }),
} satisfies Record<string, KeyPress>;

describe('scrolling the diff', () => {
  it.each([
    // [key, from offset, to offset]
    ['j', K.j, 0, 1],
    ['↓', K.down, 5, 6],
    ['k', K.k, 5, 4],
    ['↑', K.up, 5, 4],
    ['k at the top', K.k, 0, 0],
    ['j at the bottom', K.j, 80, 80],
    ['space: a page less one line', K.space, 0, 19],
    ['PgDn', K.pgDn, 10, 29],
    ['space near the bottom stops there', K.space, 70, 80],
    ['b', K.b, 40, 21],
    ['PgUp', K.pgUp, 40, 21],
    ['b near the top stops there', K.b, 5, 0],
    ['g: the top', K.g, 57, 0],
    ['Home', K.home, 57, 0],
    ['G: the bottom window', K.G, 3, 80],
    ['End', K.end, 3, 80],
  ] as const)('%s: %i -> %i', (_what, key, from, to) => {
    const r = reduceKey(inDiff({ diffOffset: from }), key, env());
    expect(r.ui).toMatchObject({ mode: 'diff', diffOffset: to, selectedId: 'web' });
    expect(r.effects).toEqual([]);
    expect(scrollDiff(from, key, env())).toBe(to);
  });

  it('does not move while the diff loads, nor when it fits on one screen', () => {
    for (const key of [K.j, K.space, K.G]) {
      expect(reduceKey(inDiff(), key, env({ diffLines: null })).ui.diffOffset).toBe(0);
      expect(reduceKey(inDiff(), key, env({ diffLines: 12 })).ui.diffOffset).toBe(0);
    }
  });

  it('j in the diff scrolls it and leaves the selected track alone', () => {
    const r = reduceKey(inDiff(), K.j, env());
    expect(r.ui.selectedId).toBe('web');
  });

  it('other keys are no scrolling keys', () => {
    expect(scrollDiff(4, press('x'), env())).toBeNull();
    expect(scrollDiff(4, K.enter, env())).toBeNull();
  });
});

describe('opening and closing the diff', () => {
  it.each([
    ['from the list, on the selected track', { selectedId: 'web' }, 'list'],
    ['from the detail', { mode: 'detail', selectedId: 'web' }, 'detail'],
  ] as const)('d opens it %s', (_what, from, back) => {
    const r = reduceKey({ ...initialUi(), ...from, diffOffset: 7 }, K.d, env());
    expect(r.ui).toMatchObject({ mode: 'diff', diffFrom: back, diffOffset: 0, selectedId: 'web' });
    expect(r.effects).toEqual([]);
  });

  it.each([
    ['q (it does not quit the view)', K.q],
    ['Esc', K.esc],
    ['d', K.d],
  ] as const)('%s closes it, back where it was opened', (_what, key) => {
    for (const from of ['list', 'detail'] as const) {
      const r = reduceKey(inDiff({ diffFrom: from, diffOffset: 33 }), key, env());
      expect(r.ui).toMatchObject({ mode: from, diffOffset: 0, selectedId: 'web' });
      expect(r.effects).toEqual([]);
    }
  });

  it('d is a letter of the filter while typing one, and does nothing in the log', () => {
    const typing = reduceKey({ ...initialUi(), filtering: true, filter: 'we' }, K.d, env());
    expect(typing.ui).toMatchObject({ mode: 'list', filter: 'wed' });
    const log = reduceKey({ ...initialUi(), mode: 'log', selectedId: 'web' }, K.d, env());
    expect(log.ui.mode).toBe('log');
  });

  it('q on the list still quits', () => {
    expect(reduceKey(initialUi(), K.q, env()).effects).toEqual([
      { kind: 'exit', request: { code: 0 } },
    ]);
  });
});

describe('acting from the diff', () => {
  it('a approves the track whose diff is open, at the head the diff shows', () => {
    const head = 'c'.repeat(40);
    expect(reduceKey(inDiff(), press('a'), env({ diffHead: head })).effects).toEqual([
      { kind: 'approve', id: 'web', seenSha: head },
    ]);
    // Still loading: as from the list, the current head.
    expect(reduceKey(inDiff(), press('a'), env({ diffHead: null })).effects).toEqual([
      { kind: 'approve', id: 'web' },
    ]);
    // From the list, nothing was read: no head named.
    const fromList = { ...initialUi(), selectedId: 'web' };
    expect(reduceKey(fromList, press('a'), env({ diffHead: head })).effects).toEqual([
      { kind: 'approve', id: 'web' },
    ]);
  });

  it('x asks for the reason; the reason takes every key, q and d included, until Enter', () => {
    let ui = reduceKey(inDiff(), press('x'), env()).ui;
    expect(ui.rejecting).toEqual({ id: 'web', text: '' });
    for (const ch of 'q d') ui = reduceKey(ui, press(ch), env()).ui;
    expect(ui).toMatchObject({ mode: 'diff', rejecting: { id: 'web', text: 'q d' } });
    const sent = reduceKey(ui, K.enter, env());
    expect(sent.effects).toEqual([{ kind: 'reject', id: 'web', reason: 'q d' }]);
    expect(sent.ui).toMatchObject({ mode: 'diff', rejecting: null });
  });

  it('a on a track that is not ready says so, from the diff too', () => {
    const r = reduceKey(inDiff({ selectedId: 'docs' }), press('a'), env());
    expect(r.effects).toEqual([]);
    expect(r.ui.message?.text).toBe('docs is planned; only ready tracks can be approved');
  });
});
