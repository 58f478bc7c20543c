// The log of a track's latest run: the last lines, following the file as it grows, or scrolled
// back by `offset` lines (follow mode is offset 0).
import { Box, Text } from 'ink';
import type { LogTail } from './log-tail.js';

export interface LogLinesProps {
  log: LogTail | null;
  height: number;
  /** Lines scrolled back from the end; 0 follows the end. */
  offset: number;
}

export function LogLines({ log, height, offset }: LogLinesProps) {
  if (height <= 0) return null;
  if (log === null) return <Text dimColor> (no log)</Text>;
  if (log.missing) return <Text dimColor>{`  log file not found: ${log.path}`}</Text>;
  if (log.lines.length === 0) return <Text dimColor> (empty so far)</Text>;
  const end = Math.max(0, log.lines.length - clampOffset(offset, log, height));
  const shown = log.lines.slice(Math.max(0, end - height), end);
  return (
    <>
      {shown.map((line, i) => (
        <Text key={end - shown.length + i} wrap="truncate">
          {line || ' '}
        </Text>
      ))}
    </>
  );
}

/** The largest useful offset: the first line at the top of the panel. */
export function clampOffset(offset: number, log: LogTail | null, height: number): number {
  const max = Math.max(0, (log?.lines.length ?? 0) - height);
  return Math.min(Math.max(0, offset), max);
}

export interface LogViewProps {
  trackId: string;
  log: LogTail | null;
  logPath: string | null;
  height: number;
  offset: number;
}

export function LogView({ trackId, log, logPath, height, offset }: LogViewProps) {
  const clamped = clampOffset(offset, log, height - 1);
  const where =
    clamped === 0
      ? 'following (k/↑ scroll back)'
      : `scrolled back ${clamped} lines (G/End follows)`;
  const cut = log?.truncated ? ' · last 64 KiB' : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text dimColor wrap="truncate">
        {`LOG ${trackId} · ${logPath ?? '(no run yet)'}${cut} · ${where}`}
      </Text>
      <LogLines log={log} height={height - 1} offset={clamped} />
    </Box>
  );
}
