// The run log a check run appends to: every byte of every check's output, with a header per
// check. Written synchronously chunk by chunk, so memory stays flat however much a check prints.
// A log that cannot be written (disk full, bad path) never fails the checks: it stops, and says so.
import { systemClock } from '../core/clock.js';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export class LogSink {
  #fd: number | null;
  /** Why writing stopped, when it did. */
  problem: string | null = null;

  private constructor(
    readonly file: string,
    fd: number | null,
    problem: string | null,
  ) {
    this.#fd = fd;
    this.problem = problem;
  }

  static open(file: string): LogSink {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      return new LogSink(file, openSync(file, 'a'), null);
    } catch (err) {
      return new LogSink(file, null, (err as Error).message);
    }
  }

  write(chunk: Buffer | string): void {
    if (this.#fd === null) return;
    try {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let done = 0; done < buf.length;) done += writeSync(this.#fd, buf, done);
    } catch (err) {
      this.problem = (err as Error).message;
      this.close();
    }
  }

  line(text: string): void {
    this.write(`${text}\n`);
  }

  section(title: string): void {
    this.line(`\n== ${systemClock.now().toISOString()} ${title}`);
  }

  close(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Closing a file we could not write to: nothing more to lose.
    }
    this.#fd = null;
  }
}
