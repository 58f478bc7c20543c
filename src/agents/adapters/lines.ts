// Turns an agent's stdout, arriving in arbitrary chunks, into bounded lines, and the small
// text and JSON helpers every parser shares. Nothing here trusts its input: lines may be
// partial, CRLF-terminated, binary, or megabytes long.
import { MAX_ACTIVITY_LENGTH, MAX_LINE_LENGTH } from './types.js';

export interface Line {
  /** The line without its terminator, cut to MAX_LINE_LENGTH. */
  text: string;
  /** True when the line was longer than MAX_LINE_LENGTH and the rest was dropped. */
  truncated: boolean;
}

/** Splits a stream into lines; memory stays bounded by MAX_LINE_LENGTH whatever it is fed. */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private parts: string[] = [];
  private length = 0;
  private truncated = false;

  push(chunk: string | Uint8Array): Line[] {
    return this.split(
      typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }),
    );
  }

  /** The rest of the stream: a last line without a newline, if any. */
  end(): Line[] {
    const lines = this.split(this.decoder.decode());
    if (this.length > 0 || this.truncated) lines.push(this.take());
    return lines;
  }

  private split(text: string): Line[] {
    const lines: Line[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.append(text, start, nl);
      lines.push(this.take());
      start = nl + 1;
    }
    this.append(text, start, text.length);
    return lines;
  }

  private append(text: string, from: number, to: number): void {
    if (to <= from || this.truncated) {
      if (to > from) this.truncated = true;
      return;
    }
    const room = MAX_LINE_LENGTH - this.length;
    if (to - from > room) {
      if (room > 0) this.parts.push(text.slice(from, from + room));
      this.length = MAX_LINE_LENGTH;
      this.truncated = true;
      return;
    }
    this.parts.push(text.slice(from, to));
    this.length += to - from;
  }

  private take(): Line {
    let text = this.parts.length === 1 ? (this.parts[0] ?? '') : this.parts.join('');
    if (text.endsWith('\r') && !this.truncated) text = text.slice(0, -1);
    const line = { text, truncated: this.truncated };
    this.parts = [];
    this.length = 0;
    this.truncated = false;
    return line;
  }
}

// CSI (colors, cursor moves), OSC (titles, links) and two-character escapes.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;
const UNPRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/;

/** What a terminal would show for a line: no escape codes, only the text after the last `\r`. */
export function visibleText(line: string): string {
  const plain = line.replace(ANSI, '');
  const cr = plain.lastIndexOf('\r');
  return cr >= 0 ? plain.slice(cr + 1) : plain;
}

/** False for binary garbage: control characters or bytes that were not valid UTF-8. */
export function isPrintable(text: string): boolean {
  return !UNPRINTABLE.test(text);
}

/** One line, whitespace collapsed, at most `max` characters (an ellipsis marks a cut). */
export function oneLine(text: string, max = MAX_ACTIVITY_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** The first line of a message that has any text, without markdown emphasis markers. */
export function firstLine(text: string): string {
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/^[#>*\-\s]+/, '')
      .replace(/\*\*|__|`/g, '')
      .trim();
    if (line) return line;
  }
  return '';
}

/** `path` relative to `cwd` when it lies inside it; otherwise unchanged. */
export function relativePath(path: string, cwd: string | undefined): string {
  if (!cwd) return path;
  const base = cwd.replace(/[\\/]+$/, '');
  if (path === base) return '.';
  const rest = path.startsWith(base) ? path.slice(base.length) : null;
  return rest && (rest[0] === '/' || rest[0] === '\\') ? rest.slice(1) : path;
}

export type JsonObject = Record<string, unknown>;

/** The line as a JSON object, or null for anything else (text, arrays, cut lines, garbage). */
export function jsonObject(line: Line): JsonObject | null {
  if (line.truncated) return null;
  const text = line.text.trim();
  if (!text.startsWith('{')) return null;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return null;
  }
}

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : null;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}
