import { Observable, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';
import { LineSplitter } from './LineSplitter';
import type { JsonLinesOptions } from './jsonLines';

/**
 * Turns a channel stream written by the payload codec (or `streamResult`) back into values: text frames
 * are NDJSON (one JSON value per line), binary frames are passed on as `Uint8Array` values, in order.
 *
 * @example
 * ```ts
 * reader.pipe(observeValues()).subscribe((value) => console.log(value));
 * ```
 */
export function observeValues(options: JsonLinesOptions = {}): OperatorFunction<ChannelItem, unknown> {
  return (source) =>
    new Observable<unknown>((subscriber) => {
      const splitter = new LineSplitter(options.maxLineChars ?? 16 * 1024 * 1024);
      const emit = (value: unknown) => subscriber.next(value);
      return source.subscribe({
        next: (item) => {
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
