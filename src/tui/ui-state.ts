// The user's place in the live view (mode, selection, filter, grouping, open question) and what
// each key does to it: a pure reducer, so every key is testable without a terminal. Effects that
// leave the view (actions on the store, quitting) are returned for the component to carry out.
import { canCancel } from './actions.js';
import type { KeyPress } from './keys.js';
import type { LogTail } from './log-tail.js';
import { clampOffset } from './log-view.js';
import { buildRows, type Grouping, type ListRow, type TrackView } from './view-model.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';

export type Mode = 'list' | 'detail' | 'log' | 'diff';

export interface ExitRequest {
  code: ExitCodeValue;
  /** Printed on stdout once the view is gone (the `o` key: a worktree path). */
  print?: string;
}

export interface UiState {
  mode: Mode;
  /** Where Esc goes back to from the log. */
  logFrom: 'list' | 'detail';
  selectedId: string | null;
  grouping: Grouping;
  filter: string;
  filtering: boolean;
  help: boolean;
  /** Track waiting for a y/n before being cancelled. */
  confirm: string | null;
  /** The reason being typed for rejecting a track (`x`). */
  rejecting: { id: string; text: string } | null;
  message: { ok: boolean; text: string } | null;
  /** Log lines scrolled back from the end; 0 follows. */
  logOffset: number;
  /** Where closing the diff (`d`) goes back to. */
  diffFrom: 'list' | 'detail';
  /** The diff's first line on screen. */
  diffOffset: number;
}

export type UiEffect =
  | { kind: 'exit'; request: ExitRequest }
  | { kind: 'retry' | 'cancel' | 'enqueue'; id: string }
  | { kind: 'togglePause' }
  | { kind: 'approve'; id: string; seenSha?: string }
  | { kind: 'reject'; id: string; reason: string };

export interface UiEnv {
  tracks: readonly TrackView[];
  log: LogTail | null;
  /** Track rows visible in the list, and lines of the log panel: for paging. */
  listRows: number;
  logRows: number;
  /** Lines of the open diff (null while it loads), and how many fit on screen. */
  diffLines: number | null;
  diffRows: number;
  /** The head the open diff shows (null: none loaded): what `a` approves from the diff. */
  diffHead?: string | null;
}

export function initialUi(trackId?: string): UiState {
  return {
    mode: trackId === undefined ? 'list' : 'detail',
    logFrom: 'list',
    selectedId: trackId ?? null,
    grouping: 'state',
    filter: '',
    filtering: false,
    help: false,
    confirm: null,
    rejecting: null,
    message: null,
    logOffset: 0,
    diffFrom: 'list',
    diffOffset: 0,
  };
}

export function listRowsOf(ui: UiState, tracks: readonly TrackView[]): ListRow[] {
  return buildRows(tracks, ui.grouping, ui.filter);
}

/** The selected track: the open one even if the filter hides it, else the first visible one. */
export function selectedTrack(
  ui: UiState,
  tracks: readonly TrackView[],
  rows = listRowsOf(ui, tracks),
): TrackView | undefined {
  const visible = rows.flatMap((r) => (r.kind === 'track' ? [r.track] : []));
  const open =
    ui.mode !== 'list' && ui.selectedId !== null
      ? tracks.find((t) => t.id === ui.selectedId)
      : undefined;
  return open ?? visible.find((t) => t.id === ui.selectedId) ?? visible[0];
}

export function reduceKey(
  ui: UiState,
  k: KeyPress,
  env: UiEnv,
): { ui: UiState; effects: UiEffect[] } {
  const next = (patch: Partial<UiState>, effects: UiEffect[] = []) => ({
    ui: { ...ui, message: null, ...patch },
    effects,
  });
  if (k.ctrl && k.input === 'c')
    return next({}, [{ kind: 'exit', request: { code: ExitCode.interrupted } }]);
  if (ui.confirm !== null) {
    if (k.input === 'y' || k.input === 'Y')
      return next({ confirm: null }, [{ kind: 'cancel', id: ui.confirm }]);
    return next({ confirm: null, message: { ok: false, text: `${ui.confirm} not cancelled` } });
  }
  if (ui.rejecting !== null) {
    const { id, text } = ui.rejecting;
    if (k.escape)
      return next({ rejecting: null, message: { ok: false, text: `${id} not rejected` } });
    if (k.return) {
      if (text.trim() === '')
        return next({
          message: {
            ok: false,
            text: 'type what the agent should change, then Enter (Esc: keep the track)',
          },
        });
      return next({ rejecting: null }, [{ kind: 'reject', id, reason: text.trim() }]);
    }
    if (k.backspace) return next({ rejecting: { id, text: text.slice(0, -1) } });
    if (k.input !== '' && !k.ctrl) return next({ rejecting: { id, text: text + k.input } });
    return next({});
  }
  const rows = listRowsOf(ui, env.tracks);
  const visible = rows.flatMap((r) => (r.kind === 'track' ? [r.track] : []));
  const selected = selectedTrack(ui, env.tracks, rows);
  const move = (delta: number): Partial<UiState> => {
    if (visible.length === 0) return {};
    const at = Math.max(
      0,
      visible.findIndex((t) => t.id === selected?.id),
    );
    return {
      selectedId: visible[Math.min(visible.length - 1, Math.max(0, at + delta))]?.id ?? null,
    };
  };
  if (ui.filtering) {
    if (k.escape) return next({ filter: '', filtering: false });
    if (k.return) return next({ filtering: false });
    if (k.backspace) return next({ filter: ui.filter.slice(0, -1) });
    if (k.up || k.down) return next(move(k.up ? -1 : 1));
    if (k.input !== '' && !k.ctrl) return next({ filter: ui.filter + k.input });
    return next({});
  }
  if (ui.help) return next({ help: !(k.input === '?' || k.input === 'q' || k.escape) });
  if (ui.mode === 'diff') {
    // As in a pager: q closes the diff here, it does not quit the view.
    if (k.escape || k.input === 'q' || k.input === 'd')
      return next({ mode: ui.diffFrom, diffOffset: 0 });
    const scrolled = scrollDiff(ui.diffOffset, k, env);
    if (scrolled !== null) return next({ diffOffset: scrolled });
  }
  if (k.input === 'q') return next({}, [{ kind: 'exit', request: { code: ExitCode.ok } }]);
  if (k.input === '?') return next({ help: true });

  if (ui.mode === 'log') {
    const page = Math.max(1, env.logRows - 1);
    const scroll = (to: number) => next({ logOffset: clampOffset(to, env.log, env.logRows) });
    if (k.escape) return next({ mode: ui.logFrom, logOffset: 0 });
    if (k.input === 'k' || k.up) return scroll(ui.logOffset + 1);
    if (k.input === 'j' || k.down) return scroll(ui.logOffset - 1);
    if (k.pageUp) return scroll(ui.logOffset + page);
    if (k.pageDown) return scroll(ui.logOffset - page);
    if (k.home) return scroll(Number.MAX_SAFE_INTEGER);
    if (k.input === 'G' || k.end) return scroll(0);
  } else if (ui.mode !== 'diff') {
    const page = Math.max(1, env.listRows - 1);
    if (k.input === 'k' || k.up) return next(move(-1));
    if (k.input === 'j' || k.down) return next(move(1));
    if (k.pageUp) return next(move(-page));
    if (k.pageDown) return next(move(page));
    if (k.home) return next(move(-visible.length));
    if (k.end || k.input === 'G') return next(move(visible.length));
    if (k.input === 'l' && selected)
      return next({ mode: 'log', logFrom: ui.mode, logOffset: 0, selectedId: selected.id });
  }
  if (ui.mode === 'list') {
    if (k.return && selected) return next({ mode: 'detail', selectedId: selected.id });
    if (k.input === 'g') return next({ grouping: ui.grouping === 'state' ? 'deps' : 'state' });
    if (k.input === '/') return next({ filtering: true });
    if (k.escape && ui.filter !== '') return next({ filter: '' });
  }
  if (ui.mode === 'detail' && k.escape) return next({ mode: 'list' });
  if (k.input === 'p') return next({}, [{ kind: 'togglePause' }]);
  if (selected === undefined) return next({});
  if (k.input === 'r') return next({}, [{ kind: 'retry', id: selected.id }]);
  if (k.input === 'm') return next({}, [{ kind: 'enqueue', id: selected.id }]);
  if (k.input === 'd' && ui.mode !== 'diff' && ui.mode !== 'log')
    return next({ mode: 'diff', diffFrom: ui.mode, diffOffset: 0, selectedId: selected.id });
  if (k.input === 'a' || k.input === 'x') {
    if (selected.state !== 'ready') {
      const what = k.input === 'a' ? 'approved' : 'rejected';
      return next({
        message: {
          ok: false,
          text: `${selected.id} is ${selected.state}; only ready tracks can be ${what}`,
        },
      });
    }
    if (k.input === 'a') {
      const seen = ui.mode === 'diff' ? (env.diffHead ?? null) : null;
      return next({}, [
        { kind: 'approve', id: selected.id, ...(seen === null ? {} : { seenSha: seen }) },
      ]);
    }
    return next({ rejecting: { id: selected.id, text: '' } });
  }
  if (k.input === 'c') {
    if (canCancel(selected.state)) return next({ confirm: selected.id });
    return next({
      message: {
        ok: false,
        text: `${selected.id} is ${selected.state}; only running tracks can be cancelled`,
      },
    });
  }
  if (k.input === 'o') {
    if (selected.worktree)
      return next({}, [{ kind: 'exit', request: { code: ExitCode.ok, print: selected.worktree } }]);
    return next({ message: { ok: false, text: `${selected.id} has no worktree yet` } });
  }
  return next({});
}

/**
 * The diff's first line after a scrolling key (null: not one): j/k and the arrows by a line,
 * space/PgDn and b/PgUp by a page less one line, g/Home and G/End to the top and the bottom.
 * Nothing moves while the diff loads.
 */
export function scrollDiff(offset: number, k: KeyPress, env: UiEnv): number | null {
  const rows = Math.max(1, env.diffRows);
  const page = Math.max(1, rows - 1);
  const bottom = Math.max(0, (env.diffLines ?? 0) - rows);
  let to: number;
  if (k.input === 'j' || k.down) to = offset + 1;
  else if (k.input === 'k' || k.up) to = offset - 1;
  else if (k.input === ' ' || k.pageDown) to = offset + page;
  else if (k.input === 'b' || k.pageUp) to = offset - page;
  else if (k.input === 'g' || k.home) to = 0;
  else if (k.input === 'G' || k.end) to = bottom;
  else return null;
  return Math.min(bottom, Math.max(0, to));
}
