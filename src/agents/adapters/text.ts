// Agents without structured output (custom commands, unknown names): the latest visible,
// printable line is the activity; nothing is known about success, usage or denials.
import { RunState, lineParser } from './base.js';
import { isPrintable, visibleText, type Line } from './lines.js';
import type { OutputParser } from './types.js';

export function createTextParser(): OutputParser {
  const state = new RunState();
  return lineParser(state, (line, out) => state.activity(out, textOf(line) ?? undefined));
}

/** The text a terminal would show for a line, or null for blank lines and binary garbage. */
export function textOf(line: Line): string | null {
  const text = visibleText(line.text).trim();
  return text && isPrintable(text) ? text : null;
}
