import { filter, OperatorFunction } from 'rxjs';
import type { ChannelItem } from './ChannelItem';

/**
 * Keeps the text frames of a channel stream.
 *
 * @example
 * ```ts
 * reader.pipe(textItems()).subscribe((message) => console.log(message));
 * ```
 */
export function textItems(): OperatorFunction<ChannelItem, string> {
  return filter((item): item is string => typeof item === 'string');
}
