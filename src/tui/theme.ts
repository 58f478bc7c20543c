// Colours of the live view, switched off as a whole for NO_COLOR: ink's chalk does not read
// NO_COLOR, so components ask the theme instead of naming colours. State is never colour alone:
// every state also has its symbol (STATE_SYMBOL, shared with the plain table).
import type { TaskMarker } from '../core/plan-md.js';
import type { TrackState } from '../state/lifecycle.js';
import { STATE_SYMBOL } from '../status/table.js';

export type Tone = 'green' | 'red' | 'cyan' | 'yellow' | 'magenta' | 'blue' | 'gray';

export interface Theme {
  color: boolean;
  /** The ink colour for a tone, or undefined when colour is off. */
  c(tone: Tone | null): Tone | undefined;
}

export function makeTheme(color: boolean): Theme {
  return { color, c: (tone) => (color && tone !== null ? tone : undefined) };
}

export function stateTone(state: TrackState): Tone | null {
  switch (state) {
    case 'merged':
    case 'ready':
      return 'green';
    case 'failed':
    case 'conflicted':
    case 'blocked':
      return 'red';
    case 'running':
    case 'validating':
    case 'provisioning':
    case 'merging':
      return 'cyan';
    case 'interrupted':
      return 'yellow';
    case 'queued':
      return 'blue';
    default:
      return 'gray';
  }
}

export function stateLabel(state: TrackState): string {
  return `${STATE_SYMBOL[state]} ${state}`;
}

export const MARKER_TEXT: Readonly<Record<TaskMarker, string>> = {
  pending: '[ ]',
  in_progress: '[~]',
  done: '[x]',
  skipped: '[-]',
  blocked: '[!]',
};

export function markerTone(marker: TaskMarker): Tone | null {
  switch (marker) {
    case 'done':
      return 'green';
    case 'in_progress':
      return 'cyan';
    case 'blocked':
      return 'red';
    default:
      return null;
  }
}

export function checkTone(status: string): Tone | null {
  if (status === 'pass') return 'green';
  if (status === 'fail' || status === 'error') return 'red';
  return 'yellow';
}

export function checkSymbol(status: string): string {
  if (status === 'pass') return '✓';
  if (status === 'fail' || status === 'error') return '✗';
  return '-';
}
