// The bottom line: the filter being typed, a y/n question, the answer to the last action, or the
// keys that apply here (in the diff, after the position in it).
import { Text } from 'ink';
import type { Theme } from './theme.js';

export type FooterState =
  | { kind: 'filter'; text: string }
  | { kind: 'reason'; id: string; text: string }
  | { kind: 'confirm'; question: string }
  | { kind: 'message'; text: string; ok: boolean }
  | { kind: 'keys'; mode: 'list' | 'detail' | 'log' | 'diff'; position?: string };

const HINTS = {
  list: '↑↓/jk move  ⏎ open  d diff  l log  r retry  c cancel  m merge  a approve  x reject  p pause queue  o worktree  / filter  g group  ? help  q quit',
  detail:
    'Esc back  d diff  l full log  ↑↓/jk other track  r retry  c cancel  m merge  a approve  x reject  o worktree  ? help  q quit',
  log: 'Esc back  k/↑ j/↓ scroll  PgUp/PgDn page  G/End follow  ? help  q quit',
  diff: 'j/k ↑↓ line  space/b PgDn/PgUp page  g/G top/bottom  a approve  x reject  q/Esc/d close',
};

export function Footer({ state, theme }: { state: FooterState; theme: Theme }) {
  switch (state.kind) {
    case 'filter':
      return (
        <Text wrap="truncate">
          <Text bold>/</Text>
          {state.text}
          <Text inverse> </Text>
          <Text dimColor>{'  Enter keeps the filter, Esc clears it'}</Text>
        </Text>
      );
    case 'reason':
      return (
        <Text wrap="truncate">
          <Text
            bold
            color={theme.c('yellow')}
          >{`Reject ${state.id} — what should its agent change? `}</Text>
          {state.text}
          <Text inverse> </Text>
          <Text dimColor>{'  Enter sends it back, Esc keeps it'}</Text>
        </Text>
      );
    case 'confirm':
      return (
        <Text wrap="truncate" bold color={theme.c('yellow')}>
          {`${state.question} [y/N]`}
        </Text>
      );
    case 'message':
      return (
        <Text wrap="truncate" color={theme.c(state.ok ? 'green' : 'red')}>
          {state.text}
        </Text>
      );
    case 'keys':
      return (
        <Text wrap="truncate">
          {state.position ? <Text bold>{`${state.position}  `}</Text> : null}
          <Text dimColor>{HINTS[state.mode]}</Text>
        </Text>
      );
  }
}
