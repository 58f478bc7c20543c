// The bottom line: the filter being typed, a y/n question, the answer to the last action, or the
// keys that apply here.
import { Text } from 'ink';
import type { Theme } from './theme.js';

export type FooterState =
  | { kind: 'filter'; text: string }
  | { kind: 'reason'; id: string; text: string }
  | { kind: 'confirm'; question: string }
  | { kind: 'message'; text: string; ok: boolean }
  | { kind: 'keys'; mode: 'list' | 'detail' | 'log' };

const HINTS = {
  list: '↑↓/jk move  ⏎ open  l log  r retry  c cancel  m merge  a approve  x reject  p pause queue  o worktree  / filter  g group  ? help  q quit',
  detail:
    'Esc back  l full log  ↑↓/jk other track  r retry  c cancel  m merge  a approve  x reject  o worktree  ? help  q quit',
  log: 'Esc back  k/↑ j/↓ scroll  PgUp/PgDn page  G/End follow  ? help  q quit',
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
        <Text wrap="truncate" dimColor>
          {HINTS[state.mode]}
        </Text>
      );
  }
}
