// Entry of the live status view: the container that wires the status source, the terminal size
// and the clock into the pure StatusApp, and runLiveView, which owns the terminal (alternate
// screen, raw input) for the duration and always gives it back. Loaded lazily by `status`.
import { Box, Text, render, useApp, useInput, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Context } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { palette } from '../cli/output.js';
import { renderTable } from '../status/table.js';
import { StatusApp, type ExitRequest } from './app.js';
import { prepareLiveView, type ViewSource } from './status-source.js';
import {
  enterAlternateScreen,
  fitsLiveView,
  MIN_COLUMNS,
  MIN_ROWS,
  type TerminalSize,
} from './terminal.js';
import { makeTheme } from './theme.js';
import {
  useClock,
  useLogTail,
  useStatusView,
  useTrackDetail,
  useTrackDiff,
} from './use-status-store.js';
import { needsSeconds, type StatusView } from './view-model.js';

export interface LiveStatusProps {
  source: ViewSource;
  initialView: StatusView | null;
  color: boolean;
  initialTrackId?: string | undefined;
  onExit: (exit: ExitRequest) => void;
  /** Fixed size, clock and poll interval for tests; by default the terminal's and real time. */
  size?: TerminalSize;
  now?: number;
  pollMs?: number;
}

export function LiveStatus(props: LiveStatusProps) {
  const { view, error } = useStatusView(props.source, props.initialView, props.pollMs);
  const [openId, setOpenId] = useState<string | null>(props.initialTrackId ?? null);
  const detail = useTrackDetail(props.source, openId, view?.version ?? 0);
  const log = useLogTail(detail?.logPath ?? null, props.pollMs);
  const [diffId, setDiffId] = useState<string | null>(null);
  const diff = useTrackDiff(props.source, diffId, props.color);
  const size = useTerminalSize(props.size);
  const seconds = useCallback((at: number) => view !== null && needsSeconds(view, at), [view]);
  const now = useClock(seconds, props.now);
  const theme = useMemo(() => makeTheme(props.color), [props.color]);
  const { exit } = useApp();
  const { onExit: report } = props;
  const onExit = useCallback(
    (request: ExitRequest) => {
      report(request);
      exit();
    },
    [report, exit],
  );
  if (view === null) return <Text>{error === null ? 'loading…' : `error: ${error}`}</Text>;
  // One line short of the terminal: a frame as tall as the screen makes ink clear it every time.
  const height = size.rows - 1;
  if (!fitsLiveView(size)) return <SmallTerminal view={view} size={size} onExit={onExit} />;
  return (
    <Box flexDirection="column">
      <StatusApp
        view={view}
        detail={detail}
        log={log}
        diff={diff}
        width={size.columns}
        height={error === null ? height : height - 1}
        now={now}
        theme={theme}
        actions={props.source.actions}
        initialTrackId={props.initialTrackId}
        onOpen={setOpenId}
        onDiff={setDiffId}
        onExit={onExit}
      />
      {error === null ? null : (
        <Text color={theme.c('red')} wrap="truncate">{`cannot refresh: ${error}`}</Text>
      )}
    </Box>
  );
}

/** Too small for the live view: the plain table, cut to fit, until the terminal grows again. */
function SmallTerminal({
  view,
  size,
  onExit,
}: {
  view: StatusView;
  size: TerminalSize;
  onExit: (e: ExitRequest) => void;
}) {
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c'))
      onExit({ code: input === 'q' ? ExitCode.ok : ExitCode.interrupted });
  });
  const lines = renderTable(view, palette(false)).split('\n');
  const room = Math.max(1, size.rows - 2);
  return (
    <Box flexDirection="column">
      {lines.slice(0, room).map((line, i) => (
        <Text key={i} wrap="truncate">
          {line}
        </Text>
      ))}
      <Text
        dimColor
        wrap="truncate"
      >{`(${size.columns}x${size.rows}: the live view needs ${MIN_COLUMNS}x${MIN_ROWS}; q quits)`}</Text>
    </Box>
  );
}

function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState<TerminalSize>(
    () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 },
  );
  useEffect(() => {
    if (fixed) return;
    const onResize = () => setSize({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}

export interface LiveViewOptions {
  /** `status ID`: open on this track's detail. */
  trackId?: string | undefined;
  /** The source and its first view, when the caller built them while this module loaded. */
  prepared?: { source: ViewSource; first: StatusView };
}

/** Runs the live view until `q`; returns the exit code. The caller checked that this is a TTY. */
export async function runLiveView(
  ctx: Context,
  opts: LiveViewOptions = {},
): Promise<ExitCodeValue> {
  // The first view is built before the screen changes: errors print normally, the first frame is whole.
  const { source, first } = opts.prepared ?? (await prepareLiveView(ctx));
  if (opts.trackId !== undefined && !first.tracks.some((t) => t.id === opts.trackId)) {
    throw new UsageError(`Unknown track "${opts.trackId}".`, {
      hint: 'Run `ym status` to list the tracks.',
    });
  }
  // ink needs the real streams (raw mode, resize events); status only calls this on a terminal.
  const { stdout, stdin } = process;
  const screen = enterAlternateScreen(stdout);
  let result: ExitRequest = { code: ExitCode.ok };
  const instance = render(
    <LiveStatus
      source={source}
      initialView={first}
      color={ctx.out.color}
      initialTrackId={opts.trackId}
      onExit={(r) => (result = r)}
    />,
    { stdout, stdin, exitOnCtrlC: false, patchConsole: true },
  );
  const onAbort = () => {
    result = { code: ExitCode.interrupted };
    instance.unmount();
  };
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await instance.waitUntilExit();
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    instance.cleanup();
    screen.leave();
  }
  if (result.print !== undefined) ctx.out.line(result.print);
  return result.code;
}
