import { ChannelReader } from '../channel/ChannelReader';
import { ChannelWriter } from '../channel/ChannelWriter';

/**
 * True for a live channel end (reader or writer) made by iii-rx.
 *
 * @example
 * ```ts
 * if (isChannelEnd(value)) payload = value.ref;
 * ```
 */
export function isChannelEnd(value: unknown): value is ChannelReader | ChannelWriter {
  return value instanceof ChannelReader || value instanceof ChannelWriter;
}
