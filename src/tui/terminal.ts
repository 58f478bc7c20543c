// Facts about the terminal the live view needs, without loading ink: whether it fits, and the
// alternate screen buffer (entered on start, always left on exit, even on a crash or a signal).

/** Below this the live view degrades to the plain table. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 12;

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function fitsLiveView(size: Partial<TerminalSize>): boolean {
  return (size.columns ?? 0) >= MIN_COLUMNS && (size.rows ?? 0) >= MIN_ROWS;
}

const ENTER = '\u001b[?1049h\u001b[H';
const LEAVE = '\u001b[?1049l';
const SHOW_CURSOR = '\u001b[?25h';

/** Switches to the alternate screen; `leave()` restores the user's screen (idempotent). */
export function enterAlternateScreen(out: { write(s: string): unknown }): { leave(): void } {
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    process.off('exit', leave);
    out.write(LEAVE + SHOW_CURSOR);
  };
  out.write(ENTER);
  // 'exit' handlers run synchronously even after an uncaught error or process.exit elsewhere.
  process.on('exit', leave);
  return { leave };
}
