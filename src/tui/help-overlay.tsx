// The key reference, shown over the view with `?`.
import { Box, Text } from 'ink';

export const KEYS: readonly [keys: string, what: string][] = [
  ['↑ ↓  j k', 'move; PgUp PgDn Home End jump'],
  ['Enter', 'open the track: spec, plan, checks, commits, worktree, live log'],
  ['Esc', 'back (closes help, the filter, the log, the diff, the detail)'],
  ['d', 'the diff against the target (j/k line, space/b page, g/G ends; q, Esc or d close)'],
  ['l', 'the log of the track, following it (k/↑ scroll back, G follows)'],
  ['r', 'retry a failed or conflicted track (back to queued)'],
  ['c', 'cancel a running track (asks y/n)'],
  ['m', 'put a ready track into the merge queue now'],
  ['a', 'approve a ready track at its current head (merge.requireApproval)'],
  ['x', 'reject a ready track: type what its agent should change, Enter'],
  ['p', 'pause or resume the merge queue'],
  ['o', 'quit and print the worktree path of the track, to cd into'],
  ['/', 'filter by id or title; Enter keeps it, Esc clears it'],
  ['g', 'group by state, or list in dependency order'],
  ['?', 'this help'],
  ['q', 'quit (Ctrl-C also quits)'],
];

export function HelpOverlay({ height }: { height: number }) {
  return (
    <Box flexDirection="column" height={height} borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {KEYS.slice(0, Math.max(0, height - 4)).map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          <Text bold>{keys.padEnd(12)}</Text>
          {what}
        </Text>
      ))}
      <Text dimColor wrap="truncate">
        Actions write to state.db; the implement and merge processes pick them up. ? or Esc closes.
      </Text>
    </Box>
  );
}
