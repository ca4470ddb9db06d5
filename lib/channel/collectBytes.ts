import { Observable, OperatorFunction } from 'rxjs';
import { CollectLimitError } from '../errors/CollectLimitError';
import type { ChannelItem } from './ChannelItem';

/** Options of {@link collectBytes}. */
export interface CollectOptions {
  /** The most bytes to hold; one more errors with `CollectLimitError` (and closes the source). */
  maxBytes: number;
}

/**
 * Gathers a whole channel stream into one buffer (text frames as UTF-8, in order), refusing to hold more
 * than `maxBytes`: past it, the result errors with `CollectLimitError` and the source is unsubscribed.
 *
 * @example
 * ```ts
 * reader.pipe(binaryItems(), collectBytes({ maxBytes: 10 * 1024 * 1024 })).subscribe((body) => ...);
 * ```
 */
export function collectBytes(options: CollectOptions): OperatorFunction<ChannelItem | Uint8Array, Uint8Array> {
  const { maxBytes } = options;
  if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
  return (source) =>
    new Observable<Uint8Array>((subscriber) => {
      const parts: Uint8Array[] = [];
      const encoder = new TextEncoder();
      let total = 0;
      return source.subscribe({
        next: (item: ChannelItem) => {
          const buf = typeof item === 'string' ? encoder.encode(item) : item;
          total += buf.byteLength;
          if (total > maxBytes) {
            parts.length = 0;
            subscriber.error(new CollectLimitError(`channel stream exceeds collect limit of ${maxBytes} bytes`));
            return;
          }
          parts.push(buf);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          subscriber.next(concatBytes(parts, total));
          subscriber.complete();
        },
      });
    });
}

/** One buffer holding `parts` in order (no `Buffer`: this also runs in browsers). */
function concatBytes(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
