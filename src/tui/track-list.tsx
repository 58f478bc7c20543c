// The track list: one row per track (state with symbol and colour, a progress bar of tasks with
// the current task, attempt, agent, time in state, latest activity, dependency and conflict marks),
// under group headers or indented by dependency depth. Only the visible window is rendered.
import { Box, Text } from 'ink';
import { stateLabel, stateTone, type Theme } from './theme.js';
import { formatElapsed, progressBar, since, tasksDone, type Grouping, type ListRow, type TrackView } from './view-model.js';

export interface TrackListProps {
  rows: readonly ListRow[];
  selectedKey: string | null;
  /** Index of the first visible row. */
  start: number;
  /** Rows of the screen this panel may use, its two title lines included. */
  height: number;
  width: number;
  now: number;
  theme: Theme;
  grouping: Grouping;
  filter: string;
  totalTracks: number;
}

export interface Columns {
  id: number;
  state: number;
  progress: number;
  attempt: number;
  agent: number;
  elapsed: number;
  marks: number;
  rest: number;
}

const BAR = 8;

/** Column widths for a terminal `width` wide; optional columns go first when it is narrow. */
export function listColumns(width: number, longestId: number): Columns {
  const base = { id: Math.min(Math.max(longestId, 8), 28) + 1, state: 15, progress: BAR + 7, attempt: 5, elapsed: 7 };
  let avail = width - (2 + base.id + base.state + base.progress + base.attempt + base.elapsed) - 1;
  const agent = avail >= 9 + 12 + 16 ? 9 : 0;
  avail -= agent;
  const marks = avail >= 12 + 16 ? Math.min(18, avail - 16) : 0;
  avail -= marks;
  return { ...base, agent, marks, rest: avail >= 10 ? avail : 0 };
}

export function TrackList(props: TrackListProps) {
  const { rows, start, height, width, theme } = props;
  const bodyHeight = Math.max(0, height - 2);
  const visible = rows.slice(start, start + bodyHeight);
  const longestId = Math.max(0, ...rows.map((r) => (r.kind === 'track' ? r.track.id.length + r.depth * 2 : 0)));
  const cols = listColumns(width, longestId);
  const trackCount = rows.filter((r) => r.kind === 'track').length;
  const range = rows.length > bodyHeight ? ` · rows ${start + 1}-${start + visible.length} of ${rows.length}` : '';
  const filtered = props.filter ? ` · filter "${props.filter}": ${trackCount} of ${props.totalTracks}` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text dimColor wrap="truncate">
        {`TRACKS ${props.grouping === 'state' ? 'by state' : 'in dependency order'}${filtered}${range}  (g: ${props.grouping === 'state' ? 'dependency order' : 'by state'})`}
      </Text>
      <Box>
        <Text dimColor wrap="truncate">
          {'  ' +
            pad('TRACK', cols.id) +
            pad('STATE', cols.state) +
            pad('TASKS', cols.progress) +
            pad('TRY', cols.attempt) +
            (cols.agent ? pad('AGENT', cols.agent) : '') +
            pad('TIME', cols.elapsed) +
            (cols.marks ? pad('MARKS', cols.marks) : '') +
            (cols.rest ? 'CURRENT TASK · ACTIVITY' : '')}
        </Text>
      </Box>
      {visible.map((row) =>
        row.kind === 'group' ? (
          <Box key={row.key}>
            <Text bold color={theme.c(stateTone(row.state))} wrap="truncate">
              {`${stateLabel(row.state)} (${row.count})`}
            </Text>
          </Box>
        ) : (
          <TrackRow
            key={row.key}
            track={row.track}
            depth={row.depth}
            selected={row.key === props.selectedKey}
            cols={cols}
            now={props.now}
            theme={theme}
          />
        ),
      )}
      {rows.length === 0 ? <Text dimColor>{props.filter ? '  no track matches the filter (Esc clears it)' : '  no tracks yet: ym new-track or ym plan --from FILE'}</Text> : null}
    </Box>
  );
}

interface TrackRowProps {
  track: TrackView;
  depth: number;
  selected: boolean;
  cols: Columns;
  now: number;
  theme: Theme;
}

function TrackRow({ track: t, depth, selected, cols, now, theme }: TrackRowProps) {
  const tone = theme.c(stateTone(t.state));
  const progress =
    t.planError !== null ? 'plan?' : t.planSource === 'missing' ? '-' : `${progressBar(tasksDone(t), t.tasks.total, BAR)} ${tasksDone(t)}/${t.tasks.total}`;
  const indent = depth > 0 ? `${'  '.repeat(depth - 1)}└ ` : '';
  const current = t.currentTask && t.state !== 'merged' ? `${t.currentTask.id} ${t.currentTask.text}` : '';
  const note = t.activity ?? t.reason ?? t.planError?.split('\n')[0] ?? '';
  return (
    <Box>
      <Box width={cols.id + 2} flexShrink={0}>
        <Text inverse={selected} bold={selected} wrap="truncate">
          {selected ? '› ' : '  '}
          {pad(indent + t.id, cols.id)}
        </Text>
      </Box>
      <Box width={cols.state} flexShrink={0}>
        <Text color={tone} wrap="truncate">
          {stateLabel(t.state)}
        </Text>
      </Box>
      <Box width={cols.progress} flexShrink={0}>
        <Text color={theme.c(t.planError ? 'red' : null)} wrap="truncate">
          {progress}
        </Text>
      </Box>
      <Box width={cols.attempt} flexShrink={0}>
        <Text wrap="truncate">{t.attempt > 0 ? `${t.attempt}/${t.maxAttempts}` : '-'}</Text>
      </Box>
      {cols.agent ? (
        <Box width={cols.agent} flexShrink={0}>
          <Text wrap="truncate">{t.agent ?? '-'}</Text>
        </Box>
      ) : null}
      <Box width={cols.elapsed} flexShrink={0}>
        <Text dimColor wrap="truncate">
          {formatElapsed(since(t.updatedAt, now))}
        </Text>
      </Box>
      {cols.marks ? (
        <Box width={cols.marks} flexShrink={0}>
          <Marks track={t} theme={theme} />
        </Box>
      ) : null}
      {cols.rest ? (
        <Box width={cols.rest} flexShrink={0}>
          <Text wrap="truncate">
            {current}
            {current && note ? ' · ' : ''}
            <Text dimColor={t.reason === null || t.activity !== null} color={theme.c(note && t.activity === null && t.reason !== null ? stateTone(t.state) : null)}>
              {note}
            </Text>
          </Text>
        </Box>
      ) : null}
    </Box>
  );
}

/** `⊘` cancel requested, `≠x` predicted conflict with x, `←a,b` waiting on dependencies. */
export function Marks({ track: t, theme }: { track: TrackView; theme: Theme }) {
  return (
    <Text wrap="truncate">
      {t.cancelRequested ? <Text color={theme.c('yellow')}>⊘cancel </Text> : null}
      {t.conflicts && t.conflicts.length > 0 ? <Text color={theme.c('red')}>{`≠${t.conflicts.join(',')} `}</Text> : null}
      {t.waitingOn.length > 0 ? <Text dimColor>{`←${t.waitingOn.join(',')}`}</Text> : null}
      {t.waitingOn.length === 0 && t.dependsOn.length > 0 ? <Text color={theme.c('green')}>{`←✓${t.dependsOn.length}`}</Text> : null}
    </Text>
  );
}

/** `text` in a column `width` cells wide, ending in at least one space (cut with "…" if longer). */
export function pad(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  const room = width - 1;
  const shown = chars.length <= room ? text : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
  return shown + ' '.repeat(Math.max(0, width - [...shown].length));
}
