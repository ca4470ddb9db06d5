import { DecodeError } from '../errors/DecodeError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';

/**
 * Splits text arriving in pieces into NDJSON lines and parses each (internal). A line may span pieces; a
 * piece may hold many lines. The unfinished tail is bounded by `maxLineBytes`.
 */
export class LineSplitter {
  private tail = '';
  private lineNo = 0;

  constructor(private readonly maxLineChars: number) {}

  /** Feeds one piece of text; calls `emit` for each complete, non-blank line's JSON value. */
  push(text: string, emit: (value: unknown) => void): void {
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      const line = this.tail + text.slice(start, nl);
      this.tail = '';
      this.parse(line, emit);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.tail += text.slice(start);
      if (this.tail.length > this.maxLineChars) {
        throw new PayloadTooLargeError(`NDJSON line longer than ${this.maxLineChars} characters without a newline`);
      }
    }
  }

  /** Parses what is left after the last newline. */
  flush(emit: (value: unknown) => void): void {
    const line = this.tail;
    this.tail = '';
    this.parse(line, emit);
  }

  private parse(line: string, emit: (value: unknown) => void): void {
    this.lineNo++;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new DecodeError(`NDJSON line ${this.lineNo} is not valid JSON: ${(err as Error).message}`, '', {
        cause: err,
      });
    }
    emit(value);
  }
}
