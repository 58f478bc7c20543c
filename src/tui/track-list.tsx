// The track list: one row per track (state with symbol and colour, a progress bar of tasks with
// the current task, attempt, agent, time in state, latest activity, dependency and conflict marks),
// under group headers or indented by dependency depth. Only the visible window is rendered.
import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatCost } from '../core/usage.js';
import { stateLabel, stateTone, type Theme, type Tone } from './theme.js';
import {
  formatElapsed,
  progressBar,
  since,
  tasksDone,
  type Grouping,
  type ListRow,
  type TrackView,
} from './view-model.js';

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
  /** What its attempts cost (`~` estimated); shown once any usage is known, if the activity keeps 20 cells. */
  cost: number;
  agent: number;
  elapsed: number;
  marks: number;
  rest: number;
}

const BAR = 8;

/** Column widths for a terminal `width` wide; optional columns go first when it is narrow. */
export function listColumns(width: number, longestId: number, withCost = true): Columns {
  const base = {
    id: Math.min(Math.max(longestId, 8), 28) + 1,
    state: 15,
    progress: BAR + 7,
    attempt: 5,
    elapsed: 7,
  };
  let avail = width - (2 + base.id + base.state + base.progress + base.attempt + base.elapsed) - 1;
  const agent = avail >= 9 + 12 + 16 ? 9 : 0;
  avail -= agent;
  const marks = avail >= 12 + 16 ? Math.min(18, avail - 16) : 0;
  avail -= marks;
  const cost = withCost && avail >= 9 + 20 ? 9 : 0;
  avail -= cost;
  return { ...base, cost, agent, marks, rest: avail >= 10 ? avail : 0 };
}

export function TrackList(props: TrackListProps) {
  const { rows, start, height, width, theme } = props;
  const bodyHeight = Math.max(0, height - 2);
  const visible = rows.slice(start, start + bodyHeight);
  const longestId = Math.max(
    0,
    ...rows.map((r) => (r.kind === 'track' ? r.track.id.length + r.depth * 2 : 0)),
  );
  // The cost column once some track's usage is known: no room spent on a column of dashes.
  const cols = listColumns(
    width,
    longestId,
    rows.some((r) => r.kind === 'track' && r.track.usage.runs > 0),
  );
  const trackCount = rows.filter((r) => r.kind === 'track').length;
  const range =
    rows.length > bodyHeight
      ? ` · rows ${start + 1}-${start + visible.length} of ${rows.length}`
      : '';
  const filtered = props.filter
    ? ` · filter "${props.filter}": ${trackCount} of ${props.totalTracks}`
    : '';
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
            (cols.cost ? pad('COST', cols.cost) : '') +
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
            elapsed={formatElapsed(since(row.track.updatedAt, props.now))}
            theme={theme}
          />
        ),
      )}
      {rows.length === 0 ? (
        <Text dimColor>
          {props.filter
            ? '  no track matches the filter (Esc clears it)'
            : '  no tracks yet: ym new-track or ym plan --from FILE'}
        </Text>
      ) : null}
    </Box>
  );
}

interface TrackRowProps {
  track: TrackView;
  depth: number;
  selected: boolean;
  cols: Columns;
  /** Time in state, formatted: rows whose text did not change are not re-rendered. */
  elapsed: string;
  theme: Theme;
}

interface Segment {
  text: string;
  tone?: Tone | null;
  dim?: boolean;
}

// One Text per row with nested spans, columns padded here: a row costs two layout nodes instead of
// twenty, which is what keeps redraws (the clock ticks every second) cheap with many rows.
const TrackRow = memo(function TrackRow({
  track: t,
  depth,
  selected,
  cols,
  elapsed,
  theme,
}: TrackRowProps) {
  const progress =
    t.planError !== null
      ? 'plan?'
      : t.planSource === 'missing'
        ? '-'
        : `${progressBar(tasksDone(t), t.tasks.total, BAR)} ${tasksDone(t)}/${t.tasks.total}`;
  const indent = depth > 0 ? `${'  '.repeat(depth - 1)}└ ` : '';
  const current =
    t.currentTask && t.state !== 'merged' ? `${t.currentTask.id} ${t.currentTask.text}` : '';
  const note = t.activity ?? t.reason ?? t.planError?.split('\n')[0] ?? '';
  const noteIsReason = t.activity === null && t.reason !== null;
  return (
    <Text wrap="truncate">
      <Text inverse={selected} bold={selected}>
        {(selected ? '› ' : '  ') + pad(indent + t.id, cols.id)}
      </Text>
      <Text color={theme.c(stateTone(t.state))}>{pad(stateLabel(t.state), cols.state)}</Text>
      <Text color={theme.c(t.planError ? 'red' : null)}>{pad(progress, cols.progress)}</Text>
      {pad(t.attempt > 0 ? `${t.attempt}/${t.maxAttempts}` : '-', cols.attempt)}
      {cols.agent ? pad(t.agent ?? '-', cols.agent) : ''}
      <Text dimColor>{pad(elapsed, cols.elapsed)}</Text>
      {cols.marks ? <Spans segments={fit(markSegments(t), cols.marks)} theme={theme} /> : null}
      {cols.cost ? pad(formatCost(t.usage), cols.cost) : ''}
      {cols.rest ? current + (current && note ? ' · ' : '') : ''}
      {cols.rest && note ? (
        <Text dimColor={!noteIsReason} color={theme.c(noteIsReason ? stateTone(t.state) : null)}>
          {note}
        </Text>
      ) : null}
    </Text>
  );
});

function Spans({ segments, theme }: { segments: readonly Segment[]; theme: Theme }) {
  return (
    <>
      {segments.map((seg, i) => (
        <Text key={i} dimColor={seg.dim === true} color={theme.c(seg.tone ?? null)}>
          {seg.text}
        </Text>
      ))}
    </>
  );
}

/** `⊘cancel` requested, `≠x` predicted conflict with x, `←a,b` waiting on dependencies, `←✓n` all merged. */
export function markSegments(t: TrackView): Segment[] {
  const out: Segment[] = [];
  if (t.cancelRequested) out.push({ text: '⊘cancel ', tone: 'yellow' });
  if (t.conflicts && t.conflicts.length > 0)
    out.push({ text: `≠${t.conflicts.join(',')} `, tone: 'red' });
  if (t.waitingOn.length > 0) out.push({ text: `←${t.waitingOn.join(',')}`, dim: true });
  else if (t.dependsOn.length > 0) out.push({ text: `←✓${t.dependsOn.length}`, tone: 'green' });
  return out;
}

/** Segments cut and padded to exactly `width` cells, one space at the end at least. */
function fit(segments: readonly Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let used = 0;
  for (const seg of segments) {
    const room = width - 1 - used;
    if (room <= 0) break;
    const chars = [...seg.text];
    const text =
      chars.length <= room ? seg.text : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
    out.push({ ...seg, text });
    used += [...text].length;
  }
  out.push({ text: ' '.repeat(Math.max(0, width - used)) });
  return out;
}

/** `text` in a column `width` cells wide, ending in at least one space (cut with "…" if longer). */
export function pad(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  const room = width - 1;
  const shown = chars.length <= room ? text : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
  return shown + ' '.repeat(Math.max(0, width - [...shown].length));
}
