// The bounded end of a check's output: both streams in arrival order, at most a fixed number of
// bytes kept however much the check prints, and cleaned into text that any terminal, JSON
// document or XML file can carry (binary garbage and escape sequences removed).

export const TAIL_MAX_BYTES = 16 * 1024;
export const TAIL_MAX_LINES = 200;

export class OutputTail {
  #chunks: Buffer[] = [];
  #size = 0;
  #total = 0;
  constructor(private readonly maxBytes = TAIL_MAX_BYTES) {}

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // Keep a little more than needed so a cut never lands inside the last kept character.
    while (this.#size - (this.#chunks[0]?.length ?? 0) >= this.maxBytes + 4) {
      this.#size -= this.#chunks.shift()?.length ?? 0;
    }
  }

  /** Total bytes seen, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  /** The cleaned last lines; `note` says where the rest is when something was dropped. */
  text(maxLines = TAIL_MAX_LINES, note?: string): string {
    const all = Buffer.concat(this.#chunks);
    const kept = all.length > this.maxBytes ? all.subarray(all.length - this.maxBytes) : all;
    let text = cleanOutput(kept.toString('utf8'));
    let dropped = this.#total - kept.length;
    if (dropped > 0) {
      // The first line is probably cut in the middle: drop it.
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        dropped += Buffer.byteLength(text.slice(0, nl + 1));
        text = text.slice(nl + 1);
      }
    }
    const lines = text.replace(/\n$/, '').split('\n');
    if (lines.length > maxLines) {
      const cut = lines.splice(0, lines.length - maxLines);
      dropped += Buffer.byteLength(cut.join('\n')) + 1;
    }
    const body = lines.join('\n');
    if (dropped <= 0 || body === '') return body;
    return `[... ${formatBytes(dropped)} earlier${note ? `; ${note}` : ''}]\n${body}`;
  }
}

// CSI/OSC escape sequences (colours, cursor moves, hyperlinks).
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// Everything XML 1.0 cannot carry and terminals should not receive, except tab and newline.
const UNPRINTABLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Output as plain text: no escape sequences, CRLF and progress-bar CRs folded, no control bytes. */
export function cleanOutput(text: string): string {
  return text
    .replace(ESCAPES, '')
    .replace(/\r\n/g, '\n')
    .replace(/[^\n]*\r(?!\n)/g, '') // a bare CR redraws its line: keep what was drawn last
    .replace(UNPRINTABLE, '\ufffd')
    .replace(/\ufffd{4,}/g, '\ufffd\ufffd\ufffd');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
