// The header of the live view: where we are (repository, target, provider, concurrency), how long
// the current session has run, and how many tracks are in each state.
import { Box, Text } from 'ink';
import path from 'node:path';
import { STATE_SYMBOL, describeSpend } from '../status/table.js';
import { stateTone, type Theme } from './theme.js';
import { GROUP_ORDER, formatElapsed, viewElapsed, type StatusView } from './view-model.js';

export interface OverviewProps {
  view: StatusView;
  now: number;
  theme: Theme;
}

export function Overview({ view, now, theme }: OverviewProps) {
  const elapsed = viewElapsed(view, now);
  const counts = GROUP_ORDER.filter((s) => (view.counts[s] ?? 0) > 0);
  const spend = describeSpend(view.usage);
  return (
    <Box flexDirection="column">
      <Box>
        <Text wrap="truncate">
          <Text bold color={theme.c('magenta')}>
            yardmaster
          </Text>
          {'  '}
          <Text bold>{path.basename(view.repository)}</Text>
          <Text dimColor> {view.repository}</Text>
          {'  target '}
          <Text bold>{view.target}</Text>
          {'  provider '}
          <Text bold>{view.provider}</Text>
          {'  concurrency '}
          <Text bold>{view.concurrency}</Text>
          {'  elapsed '}
          <Text bold>{elapsed === null ? '-' : formatElapsed(elapsed)}</Text>
        </Text>
      </Box>
      <Box>
        <Text wrap="truncate">
          <Text bold>{view.tracks.length}</Text>
          {view.tracks.length === 1 ? ' track' : ' tracks'}
          {counts.map((state) => (
            <Text key={state}>
              {'  '}
              <Text color={theme.c(stateTone(state))}>
                {STATE_SYMBOL[state]} {view.counts[state]} {state}
              </Text>
            </Text>
          ))}
          {'  spent '}
          <Text bold>{spend ?? '-'}</Text>
        </Text>
      </Box>
    </Box>
  );
}
