// Key presses as the view understands them. ink hands over a run of plain characters typed (or
// sent by tmux, or pasted) faster than it reads them as one input ("jj", "?g", "j\r"); they are
// split here so every key counts, in order.
import type { Key } from 'ink';

export interface KeyPress {
  input: string;
  up: boolean;
  down: boolean;
  pageUp: boolean;
  pageDown: boolean;
  home: boolean;
  end: boolean;
  return: boolean;
  escape: boolean;
  backspace: boolean;
  ctrl: boolean;
}

const NONE: KeyPress = {
  input: '',
  up: false,
  down: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  backspace: false,
  ctrl: false,
};

/** A key press from a partial description (tests, and the split below). */
export function press(input: string, flags: Partial<Omit<KeyPress, 'input'>> = {}): KeyPress {
  return { ...NONE, ...flags, input };
}

function fromChar(ch: string): KeyPress {
  if (ch === '\r' || ch === '\n') return press('', { return: true });
  if (ch === '\u007f' || ch === '\b') return press('', { backspace: true });
  if (ch === '\u001b') return press('', { escape: true });
  if (ch === '\u0003') return press('c', { ctrl: true });
  return press(ch);
}

export function toKeyPresses(input: string, key: Key): KeyPress[] {
  const special =
    key.upArrow ||
    key.downArrow ||
    key.pageUp ||
    key.pageDown ||
    key.home ||
    key.end ||
    key.escape ||
    key.backspace ||
    key.delete;
  if (!special && !key.ctrl && !key.meta && [...input].length > 1) return [...input].map(fromChar);
  if (!special && !key.ctrl && input.length === 1 && fromChar(input).input !== input)
    return [fromChar(input)];
  return [
    press(input, {
      up: key.upArrow,
      down: key.downArrow,
      pageUp: key.pageUp,
      pageDown: key.pageDown,
      home: key.home,
      end: key.end,
      return: key.return,
      escape: key.escape,
      // Most terminals send DEL (0x7f) for Backspace, which ink reports as `delete`.
      backspace: key.backspace || key.delete,
      ctrl: key.ctrl,
    }),
  ];
}
