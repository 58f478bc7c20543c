// The detail view of one track (Enter): what it is (spec summary), where it stands (plan with
// markers), how its last checks went, its commits over the target (or, merged, what landed on
// it), its worktree, and the live tail of its log.
import { Box, Text } from 'ink';
import { allTasks, type Plan } from '../core/plan-md.js';
import type { LogTail } from './log-tail.js';
import { LogLines } from './log-view.js';
import {
  MARKER_TEXT,
  checkSymbol,
  checkTone,
  markerTone,
  stateLabel,
  stateTone,
  type Theme,
  type Tone,
} from './theme.js';
import type { TrackDetail } from './track-detail.js';
import { formatElapsed, since, windowStart, type TrackView } from './view-model.js';

export interface DetailViewProps {
  track: TrackView;
  detail: TrackDetail | null;
  log: LogTail | null;
  width: number;
  height: number;
  now: number;
  theme: Theme;
}

interface Line {
  key: string;
  text: string;
  tone?: Tone | null;
  dim?: boolean;
  bold?: boolean;
}

export function DetailView({ track: t, detail, log, width, height, now, theme }: DetailViewProps) {
  const planLines = detail?.plan
    ? planToLines(detail.plan)
    : [{ key: 'p', text: detail?.planError ?? 'loading…', dim: true }];
  const sideLines = detail ? [...checkLines(detail), ...commitLines(detail)] : [];
  const wide = width >= 100;
  const room = Math.max(0, height - 5);
  const needed = wide
    ? Math.max(planLines.length, sideLines.length) + 1
    : planLines.length + sideLines.length + 2;
  const middle = Math.max(Math.min(needed, Math.floor(room * 0.6)), Math.min(needed, 3));
  const logHeight = Math.max(0, room - middle);
  const current = planLines.findIndex((l) => l.key === `task:${t.currentTask?.id ?? ''}`);
  const planHeight = wide ? middle - 1 : Math.ceil((middle - 2) / 2);
  const sideHeight = wide ? middle - 1 : middle - 2 - planHeight;
  const planStart = windowStart(0, Math.max(0, current), planHeight, planLines.length);
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">
        <Text bold>{t.id}</Text>
        {` — ${t.title}   `}
        <Text color={theme.c(stateTone(t.state))}>{stateLabel(t.state)}</Text>
        {`   attempt ${t.attempt > 0 ? `${t.attempt}/${t.maxAttempts}` : '-'}   agent ${t.agent ?? '-'}   in state ${formatElapsed(since(t.updatedAt, now))}`}
        {t.cancelRequested ? (
          <Text color={theme.c('yellow')}>{'   ⊘ cancel requested'}</Text>
        ) : null}
      </Text>
      <Text dimColor wrap="truncate">
        {`branch ${t.branch ?? '-'} · worktree ${t.worktree ?? '(none yet)'}${t.reason ? ` · ${t.reason}` : ''}`}
      </Text>
      <Box height={2} overflow="hidden">
        <Text wrap="wrap">
          {detail === null
            ? 'loading…'
            : (detail.specSummary ?? '(spec.md has no summary paragraph)')}
        </Text>
      </Box>
      <Box height={middle} flexDirection={wide ? 'row' : 'column'} overflow="hidden">
        <Box
          flexDirection="column"
          width={wide ? Math.floor(width / 2) : width}
          height={wide ? middle : planHeight + 1}
        >
          <Text
            dimColor
          >{`PLAN ${t.tasks.done + t.tasks.skipped}/${t.tasks.total} (${t.planSource})`}</Text>
          <Lines lines={planLines.slice(planStart, planStart + planHeight)} theme={theme} />
        </Box>
        <Box
          flexDirection="column"
          width={wide ? width - Math.floor(width / 2) : width}
          height={wide ? middle : sideHeight + 1}
        >
          <Lines lines={sideLines.slice(0, sideHeight + 1)} theme={theme} />
        </Box>
      </Box>
      <Box flexDirection="column" height={logHeight + 1}>
        <Text dimColor wrap="truncate">
          {`LOG ${detail?.logPath ?? '(no run yet)'} · following (l: full log)`}
        </Text>
        <LogLines log={log} height={logHeight} offset={0} />
      </Box>
    </Box>
  );
}

function Lines({ lines, theme }: { lines: readonly Line[]; theme: Theme }) {
  return (
    <>
      {lines.map((l) => (
        <Text
          key={l.key}
          wrap="truncate"
          dimColor={l.dim === true}
          bold={l.bold === true}
          color={theme.c(l.tone ?? null)}
        >
          {l.text || ' '}
        </Text>
      ))}
    </>
  );
}

export function planToLines(plan: Plan): Line[] {
  const lines: Line[] = [];
  for (const phase of plan.phases) {
    if (phase.index > 0)
      lines.push({
        key: `phase:${phase.index}:${phase.line}`,
        text: `Phase ${phase.index}: ${phase.title}`,
        bold: true,
      });
    const inPhase = allTasks({ title: null, phases: [phase] });
    for (const task of inPhase) {
      lines.push({
        key: `task:${task.id}`,
        text: `${'  '.repeat(task.depth + 1)}${MARKER_TEXT[task.marker]} ${task.id} ${task.text}`,
        tone: markerTone(task.marker),
        dim: task.marker === 'skipped',
      });
    }
  }
  return lines;
}

export function checkLines(detail: TrackDetail): Line[] {
  const c = detail.checks;
  if (c === null) return [{ key: 'checks', text: 'CHECKS none recorded yet', dim: true }];
  const verdict = c.ok === null ? '' : c.ok ? ' · passed' : ' · failed';
  const lines: Line[] = [
    {
      key: 'checks',
      text: `CHECKS${c.attempt === null ? '' : ` attempt ${c.attempt}`}${verdict}`,
      dim: true,
    },
  ];
  for (const r of c.results) {
    const time = r.durationMs === null ? '' : `  ${(r.durationMs / 1000).toFixed(1)}s`;
    const exit = r.exitCode === null ? '' : `  exit ${r.exitCode}`;
    lines.push({
      key: `check:${r.name}`,
      text: `${checkSymbol(r.status)} ${r.name}  ${r.status}${time}${exit}${r.message ? `  ${r.message}` : ''}`,
      tone: checkTone(r.status),
    });
    if (r.status === 'fail' || r.status === 'error') {
      const tail = r.outputTail
        .split('\n')
        .filter((s) => s.trim() !== '')
        .slice(-3);
      tail.forEach((s, i) =>
        lines.push({ key: `check:${r.name}:${i}`, text: `    ${s}`, dim: true }),
      );
    }
  }
  return lines;
}

export function commitLines(detail: TrackDetail): Line[] {
  const lines: Line[] = [{ key: 'commits', text: commitsTitle(detail), dim: true }];
  if (detail.commitsError)
    lines.push({ key: 'commits:error', text: detail.commitsError, tone: 'red' });
  else if (detail.commitsOf.kind === 'none')
    lines.push({ key: 'commits:none', text: 'no branch yet', dim: true });
  detail.commits.forEach((c, i) => lines.push({ key: `commit:${i}`, text: c }));
  return lines;
}

function commitsTitle({ commits, commitsOf: of }: TrackDetail): string {
  const count = `(${commits.length})`;
  if (of.kind === 'branch') return `COMMITS on ${of.branch} ${count}`;
  if (of.kind === 'none') return `COMMITS ${count}`;
  const { strategy, branchCommits } = of.landing;
  // A merge commit or a squash stands for the branch's own commits: say how many.
  const how =
    strategy !== null && strategy !== 'rebase' && branchCommits !== null
      ? ` · ${strategy} of ${branchCommits} commit${branchCommits === 1 ? '' : 's'}`
      : strategy !== null
        ? ` · ${strategy}`
        : '';
  return `COMMITS landed on ${of.target} ${count}${how}`;
}
