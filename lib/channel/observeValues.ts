import { Observable, OperatorFunction } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import { StreamError } from '../errors/StreamError';
import { StreamTruncatedError } from '../errors/StreamTruncatedError';
import { decodeStreamEnd, isStreamEnd } from '../protocol/streamEnd';
import type { ChannelItem } from './ChannelItem';
import { LineSplitter } from './LineSplitter';
import type { JsonLinesOptions } from './jsonLines';

/** Options of {@link observeValues}. */
export interface ObserveValuesOptions extends JsonLinesOptions {
  /**
   * Whether the stream must end with its end record (`protocol/streamEnd`). `true`: a stream that stops
   * without it errors with `StreamTruncatedError` (what `worker.stream()` uses). `false` (default, so that
   * plain NDJSON written by hand or by an iii-sdk peer reads as before): a bare close completes. Either way
   * an error record errors with `StreamError`, and a clean end record completes.
   */
  requireEnd?: boolean;
}

/**
 * Turns a value stream written by the payload codec, `streamResult` or a streaming function back into
 * values: text frames are NDJSON (one JSON value per line), binary frames are passed on as `Uint8Array`
 * values, in order. The stream's end record decides how it ends: completion, or `StreamError` carrying the
 * producer's code and message. With `requireEnd: true`, a stream cut off before its end record (a close
 * without it, or a dropped socket: `ChannelClosedError` becomes its `cause`) errors with
 * `StreamTruncatedError`; by default a bare close completes. Other socket errors pass through. Items after
 * the end record are ignored.
 *
 * @example
 * ```ts
 * reader.pipe(observeValues({ requireEnd: true })).subscribe({ next: (v) => console.log(v), error: (err) => console.error(err.code) });
 * ```
 */
export function observeValues(options: ObserveValuesOptions = {}): OperatorFunction<ChannelItem, unknown> {
  const requireEnd = options.requireEnd ?? false;
  return (source) =>
    new Observable<unknown>((subscriber) => {
      const splitter = new LineSplitter(options.maxLineChars ?? 16 * 1024 * 1024);
      const emit = (value: unknown) => subscriber.next(value);
      let ended = false;
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
          if (ended) return;
          if (typeof item !== 'string') {
            subscriber.next(item);
            return;
          }
          if (isStreamEnd(item)) {
            if (!flush()) return;
            const end = decodeStreamEnd(item);
            ended = true;
            // an error ends the stream at once; a clean end completes when the socket closes after it
            if (end.kind === 'error') subscriber.error(new StreamError(end.code, end.message));
            return;
          }
          try {
            splitter.push(item, emit);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err) => {
          if (ended) subscriber.complete();
          else if (requireEnd && err instanceof ChannelClosedError) {
            // the socket was dropped before the end record: the same as a close without it
            subscriber.error(new StreamTruncatedError(`the value stream was cut off: ${err.message}`, { cause: err }));
          } else subscriber.error(err);
        },
        complete: () => {
          if (ended) {
            subscriber.complete();
            return;
          }
          if (!flush()) return;
          if (requireEnd) {
            subscriber.error(
              new StreamTruncatedError(
                'the value stream ended without its end record: the producer stopped before finishing (died, cancelled or dropped)',
              ),
            );
          } else subscriber.complete();
        },
      });
    });
}
