import { Observable, OperatorFunction } from 'rxjs';
import { LineSplitter } from './LineSplitter';

/** Options of {@link jsonLines}. */
export interface JsonLinesOptions {
  /** Longest unfinished line held while waiting for its newline (characters). Default 16 Mi. */
  maxLineChars?: number;
}

/**
 * Parses NDJSON carried in text: lines may span messages and a message may hold many lines; blank lines
 * are skipped, the last line needs no newline. A bad line errors with `DecodeError` naming its number, an
 * over-long line with `PayloadTooLargeError`.
 *
 * @example
 * ```ts
 * reader.pipe(textItems(), jsonLines()).subscribe((event) => handle(event));
 * ```
 */
export function jsonLines<T = unknown>(options: JsonLinesOptions = {}): OperatorFunction<string, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const splitter = new LineSplitter(options.maxLineChars ?? 16 * 1024 * 1024);
      const emit = (value: unknown) => subscriber.next(value as T);
      return source.subscribe({
        next: (text) => {
          try {
            splitter.push(text, emit);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          try {
            splitter.flush(emit);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.complete();
        },
      });
    });
}
