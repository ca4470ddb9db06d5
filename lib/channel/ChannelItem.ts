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
  return typeof item === 'string' ? utf8Length(item) : item.byteLength;
}

/** The UTF-8 length of a string without encoding it (no `Buffer`: this also runs in browsers). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}
