import { Observable, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';
import { LineSplitter } from './LineSplitter';
import type { JsonLinesOptions } from './jsonLines';
import { RequireEnd, StreamRecordReader } from './streamRecords';

/** Options of {@link observeValues}. */
export interface ObserveValuesOptions extends JsonLinesOptions {
  /**
   * Whether the stream must end with its end record (`protocol/streamEnd`). `'auto'` (default): if it began
   * with a begin record (an iii-rx writer), a stream that stops without its end record errors with
   * `StreamTruncatedError`, and a plain NDJSON stream (e.g. written by an iii-sdk peer) completes when its
   * socket closes. `true`: always required; `false`: never. Any way, an error record errors with
   * `StreamError`. A channel reader takes the records off before they get here (give `requireEnd` to the
   * reader instead), so on a reader's items only the default and `false` make sense.
   */
  requireEnd?: RequireEnd;
}

/**
 * Turns a value stream written by the payload codec, `streamResult` or a streaming function back into
 * values: text frames are NDJSON (one JSON value per line), binary frames are passed on as `Uint8Array`
 * values, in order. The stream records (`protocol/streamEnd`) are never values: the end record decides
 * how the stream ends — completion, or `StreamError` carrying the producer's code and message; a stream that
 * began with a begin record and is cut off before its end record (a close without it, or a dropped socket:
 * `ChannelClosedError` becomes its `cause`) errors with `StreamTruncatedError`; one without records ends at
 * the close (see `requireEnd`). Other socket errors pass through. Items after the end record are ignored.
 *
 * @example
 * ```ts
 * reader.pipe(observeValues()).subscribe({ next: (value) => console.log(value), error: (err) => console.error(err.code) });
 * ```
 */
export function observeValues(options: ObserveValuesOptions = {}): OperatorFunction<ChannelItem, unknown> {
  const requireEnd = options.requireEnd ?? 'auto';
  return (source) =>
    new Observable<unknown>((subscriber) => {
      const splitter = new LineSplitter(options.maxLineChars ?? 16 * 1024 * 1024);
      const emit = (value: unknown) => subscriber.next(value);
      const records = new StreamRecordReader(requireEnd);
      const flush = (): boolean => {
        try {
          splitter.flush(emit);
          return true;
        } catch (err) {
          subscriber.error(err);
          return false;
        }
      };
      return source.subscribe({
        next: (item) => {
          if (records.end) return;
          if (!records.accept(item)) {
            if (!records.end || !flush()) return;
            // an error ends the stream at once; a clean end completes when the socket closes after it
            const failure = records.failure;
            if (failure) subscriber.error(failure);
            return;
          }
          if (typeof item !== 'string') {
            subscriber.next(item);
            return;
          }
          try {
            splitter.push(item, emit);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => {
          // a dropped socket before the end record is a truncation of a stream that had to end with one
          const failure = records.settle(err);
          if (failure) subscriber.error(failure);
          else subscriber.complete();
        },
        complete: () => {
          if (!records.end && !flush()) return;
          const failure = records.settle();
          if (failure) subscriber.error(failure);
          else subscriber.complete();
        },
      });
    });
}
