// The diff pane (`d`): a title line (the track, the range, files and +/- totals), then the window
// of the diff's lines that fits, from `offset`. Only that window is rendered, so a diff of a
// hundred thousand lines costs what a screenful does. Pure over props.
import { Box, Text } from 'ink';
import type { Theme } from './theme.js';
import type { TrackDiff } from './track-diff.js';

export interface DiffViewProps {
  trackId: string;
  /** null while it loads. */
  diff: TrackDiff | null;
  height: number;
  offset: number;
  theme: Theme;
}

export function DiffView({ trackId, diff, height, offset, theme }: DiffViewProps) {
  const rows = Math.max(0, height - 1);
  if (diff === null || diff.error !== null) {
    return (
      <Box flexDirection="column" height={height}>
        <Text bold wrap="truncate">{`DIFF ${trackId}`}</Text>
        {diff === null ? (
          <Text dimColor>{'  loading the diff…'}</Text>
        ) : (
          <Text color={theme.c('red')} wrap="wrap">{`  no diff to show: ${diff.error}`}</Text>
        )}
      </Box>
    );
  }
  const start = windowStart(offset, diff.lines.length, rows);
  const shown = diff.lines.slice(start, start + rows);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">{diff.title}</Text>
      {shown.map((line, i) => (
        <Text key={start + i} wrap="truncate">
          {line || ' '}
        </Text>
      ))}
    </Box>
  );
}

/** The first line on screen: the offset, kept so that the last window is full. */
function windowStart(offset: number, total: number, rows: number): number {
  return Math.min(Math.max(0, offset), Math.max(0, total - rows));
}

/** The footer's "lines 1-30 of 412" (empty while the diff loads or when there is none). */
export function diffPosition(diff: TrackDiff | null, offset: number, rows: number): string {
  if (diff === null || diff.error !== null) return '';
  const total = diff.lines.length;
  if (total === 0) return 'no lines';
  const start = windowStart(offset, total, rows);
  const end = Math.min(total, start + rows);
  const where = end >= total ? (start === 0 ? ' (all)' : ' (end)') : '';
  return `lines ${start + 1}-${end} of ${total}${where}`;
}
