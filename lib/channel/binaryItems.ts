import { filter, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';

/**
 * Keeps the binary frames of a channel stream.
 *
 * @example
 * ```ts
 * reader.pipe(binaryItems()).subscribe((chunk) => hash.update(chunk));
 * ```
 */
export function binaryItems(): OperatorFunction<ChannelItem, Uint8Array> {
  return filter((item): item is Uint8Array => typeof item !== 'string');
}
