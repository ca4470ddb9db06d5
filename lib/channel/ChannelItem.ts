/**
 * One message of a channel, keeping its frame type: a binary frame is a `Uint8Array`, a text frame a `string`.
 *
 * @example
 * ```ts
 * const item: ChannelItem = typeof x === 'string' ? x : new Uint8Array(x);
 * ```
 */
export type ChannelItem = string | Uint8Array;

/** Bytes a channel item occupies on the wire (UTF-8 length for text). */
export function channelItemBytes(item: ChannelItem): number {
  return typeof item === 'string' ? Buffer.byteLength(item, 'utf8') : item.byteLength;
}
