// The live status view: overview, track list, merge queue, detail, log, diff and help. Data and
// actions come in as props (the container reads state.db); the only state here is the user's place
// in the view (src/tui/ui-state.ts), changed key by key through a pure reducer.
import { Box, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StatusActions } from './actions.js';
import { DetailView } from './detail-view.js';
import { DiffView, diffPosition } from './diff-view.js';
import { Footer, type FooterState } from './footer.js';
import { HelpOverlay } from './help-overlay.js';
import { toKeyPresses } from './keys.js';
import type { LogTail } from './log-tail.js';
import { LogView } from './log-view.js';
import { Overview } from './overview.js';
import { QUEUE_PANEL_HEIGHT, QueuePanel } from './queue-panel.js';
import type { Theme } from './theme.js';
import type { TrackDetail } from './track-detail.js';
import type { TrackDiff } from './track-diff.js';
import { TrackList } from './track-list.js';
import {
  initialUi,
  listRowsOf,
  reduceKey,
  selectedTrack,
  type ExitRequest,
  type UiEffect,
  type UiEnv,
  type UiState,
} from './ui-state.js';
import { windowStart, type StatusView } from './view-model.js';

export type { ExitRequest } from './ui-state.js';

export interface StatusAppProps {
  view: StatusView;
  /** Detail of the open track (the container loads it for the id given to onOpen). */
  detail: TrackDetail | null;
  log: LogTail | null;
  /** The open diff (the container loads it for the id given to onDiff); null while it loads. */
  diff?: TrackDiff | null;
  width: number;
  height: number;
  now: number;
  theme: Theme;
  actions: StatusActions;
  initialTrackId?: string | undefined;
  onOpen?: (id: string | null) => void;
  /** The track whose diff is open (`d`), or null when none is. */
  onDiff?: (id: string | null) => void;
  onExit: (exit: ExitRequest) => void;
}

const HEADER = 2;
const FOOTER = 1;

export function StatusApp(props: StatusAppProps) {
  const { view, width, height, theme, actions } = props;
  const [ui, setUi] = useState<UiState>(() => initialUi(props.initialTrackId));
  // Keys arrive in bursts; each must see the state the previous one left, before React re-renders.
  const uiRef = useRef(ui);
  const startRef = useRef(0);

  const rows = useMemo(() => listRowsOf(ui, view.tracks), [ui, view.tracks]);
  const selected = selectedTrack(ui, view.tracks, rows);
  const openId = ui.mode === 'list' ? null : (selected?.id ?? null);
  const { onOpen } = props;
  useEffect(() => {
    onOpen?.(openId);
  }, [onOpen, openId]);
  const diffId = ui.mode === 'diff' ? (selected?.id ?? null) : null;
  const { onDiff } = props;
  useEffect(() => {
    onDiff?.(diffId);
  }, [onDiff, diffId]);

  const listHeight = Math.max(3, height - HEADER - FOOTER - QUEUE_PANEL_HEIGHT);
  const bodyHeight = height - HEADER - FOOTER;
  const selectedRow = rows.findIndex((r) => r.kind === 'track' && r.track.id === selected?.id);
  const start = windowStart(
    startRef.current,
    Math.max(0, selectedRow),
    listHeight - 2,
    rows.length,
  );
  startRef.current = start;
  const log = props.detail !== null && props.detail.id === selected?.id ? props.log : null;
  const detail = props.detail !== null && props.detail.id === selected?.id ? props.detail : null;
  const diff = props.diff?.id === selected?.id ? (props.diff ?? null) : null;
  const diffRows = bodyHeight - 1;

  const apply = (effect: UiEffect, state: UiState): UiState | 'exit' => {
    if (effect.kind === 'exit') {
      props.onExit(effect.request);
      return 'exit';
    }
    if (effect.kind === 'approve' || effect.kind === 'reject') {
      // These read git first: the answer replaces the footer's line when it comes.
      const pending =
        effect.kind === 'approve'
          ? actions.approve(effect.id, effect.seenSha)
          : actions.reject(effect.id, effect.reason);
      void pending.then((result) => {
        uiRef.current = { ...uiRef.current, message: { ok: result.ok, text: result.message } };
        setUi(uiRef.current);
      });
      return {
        ...state,
        message: {
          ok: true,
          text: `${effect.kind === 'approve' ? 'approving' : 'rejecting'} ${effect.id}…`,
        },
      };
    }
    const result =
      effect.kind === 'togglePause' ? actions.togglePause() : actions[effect.kind](effect.id);
    return { ...state, message: { ok: result.ok, text: result.message } };
  };

  // What the keys see is what the last render drew: ink re-registers this handler only after the
  // render's effects run, so a key typed just after a new frame (the diff arriving) would see the
  // frame before it.
  const envRef = useRef<UiEnv | null>(null);
  envRef.current = {
    tracks: view.tracks,
    log,
    listRows: listHeight - 2,
    logRows: bodyHeight - 1,
    diffLines: diff === null || diff.error !== null ? null : diff.lines.length,
    diffRows,
    diffHead: diff?.head ?? null,
  };

  useInput((input, key) => {
    let state = uiRef.current;
    for (const press of toKeyPresses(input, key)) {
      const env = envRef.current;
      if (env === null) return;
      const result = reduceKey(state, press, env);
      state = result.ui;
      for (const effect of result.effects) {
        const after = apply(effect, state);
        if (after === 'exit') return;
        state = after;
      }
    }
    uiRef.current = state;
    setUi(state);
  });

  const footer: FooterState =
    ui.rejecting !== null
      ? { kind: 'reason', id: ui.rejecting.id, text: ui.rejecting.text }
      : ui.filtering
        ? { kind: 'filter', text: ui.filter }
        : ui.confirm !== null
          ? {
              kind: 'confirm',
              question: `Cancel ${ui.confirm} (${view.tracks.find((t) => t.id === ui.confirm)?.state ?? 'gone'})? The agent is stopped; the worktree is kept.`,
            }
          : ui.message !== null
            ? { kind: 'message', text: ui.message.text, ok: ui.message.ok }
            : ui.mode === 'diff'
              ? {
                  kind: 'keys',
                  mode: 'diff',
                  position: diffPosition(diff, ui.diffOffset, diffRows),
                }
              : { kind: 'keys', mode: ui.mode };

  let body;
  if (ui.help) body = <HelpOverlay height={bodyHeight} />;
  else if (ui.mode === 'detail' && selected)
    body = (
      <DetailView
        track={selected}
        detail={detail}
        log={log}
        width={width}
        height={bodyHeight}
        now={props.now}
        theme={theme}
      />
    );
  else if (ui.mode === 'diff' && selected)
    body = (
      <DiffView
        trackId={selected.id}
        diff={diff}
        height={bodyHeight}
        offset={ui.diffOffset}
        theme={theme}
      />
    );
  else if (ui.mode === 'log' && selected)
    body = (
      <LogView
        trackId={selected.id}
        log={log}
        logPath={detail?.logPath ?? null}
        height={bodyHeight}
        offset={ui.logOffset}
      />
    );
  else
    body = (
      <>
        <TrackList
          rows={rows}
          selectedKey={selected?.id ?? null}
          start={start}
          height={listHeight}
          width={width}
          now={props.now}
          theme={theme}
          grouping={ui.grouping}
          filter={ui.filter}
          totalTracks={view.tracks.length}
        />
        <QueuePanel queue={view.queue} paused={view.queuePaused} theme={theme} />
      </>
    );

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Overview view={view} now={props.now} theme={theme} />
      {body}
      <Footer state={footer} theme={theme} />
    </Box>
  );
}
