// The merge queue panel: the order in which ready tracks will enter the target, the step the head
// of the queue has reached (updating, rebasing, checking, waiting for CI, merging), the
// speculative window's places behind it (e.g. "checking ahead on t01+t02"), and whether the
// queue is paused.
import { Box, Text } from 'ink';
import type { Theme } from './theme.js';
import type { StatusView } from './view-model.js';

export interface QueuePanelProps {
  queue: StatusView['queue'];
  paused: boolean;
  theme: Theme;
}

export const QUEUE_PANEL_HEIGHT = 2;

export function QueuePanel({ queue, paused, theme }: QueuePanelProps) {
  const [head, ...rest] = queue;
  return (
    <Box flexDirection="column" height={QUEUE_PANEL_HEIGHT}>
      <Text wrap="truncate">
        <Text dimColor>{`MERGE QUEUE (${queue.length})`}</Text>
        {paused ? (
          <Text color={theme.c('yellow')} bold>
            {'  ⏸ paused (p resumes)'}
          </Text>
        ) : null}
      </Text>
      <Text wrap="truncate">
        {head === undefined ? (
          <Text dimColor> empty</Text>
        ) : (
          <>
            {'  1 '}
            <Text bold>{head.trackId}</Text>
            {head.paused ? ' ⏸' : ''}
            {': '}
            <Text color={theme.c('cyan')}>{head.step ?? 'waiting'}</Text>
            {head.headSha ? <Text dimColor>{` @${head.headSha.slice(0, 7)}`}</Text> : null}
            {rest.map((q, i) => (
              <Text key={q.trackId}>
                <Text dimColor>{'  →  '}</Text>
                {`${i + 2} ${q.trackId}${q.paused ? ' ⏸' : ''}`}
                {q.step ? <Text color={theme.c('cyan')}>{` (${q.step})`}</Text> : null}
              </Text>
            ))}
          </>
        )}
      </Text>
    </Box>
  );
}
