import type { StreamChannelRef } from '../protocol/StreamChannelRef';

/** A channel ref, or anything that serialises to one (a live `ChannelReader` or `ChannelWriter`). */
export type ChannelRefLike = StreamChannelRef | { toJSON(): StreamChannelRef };

/**
 * The plain ref behind `end`: a ref as it is, a live end as its `toJSON()`. Lets `channelReader(url, x)` take
 * whatever a payload delivered, whether the worker's codec turned the ref into a live end or not.
 *
 * @throws TypeError when `end` carries no `channel_id` and `access_key` strings
 * @example
 * ```ts
 * const ref = toChannelRef(input.out); // a ChannelWriter, or { channel_id, access_key, direction }
 * ```
 */
export function toChannelRef(end: ChannelRefLike): StreamChannelRef {
  const live = end !== null && typeof end === 'object' && typeof (end as { toJSON?: unknown }).toJSON === 'function';
  const ref = live ? (end as { toJSON(): StreamChannelRef }).toJSON() : end;
  const r = ref as Partial<StreamChannelRef> | null;
  if (!r || typeof r.channel_id !== 'string' || typeof r.access_key !== 'string') {
    throw new TypeError('not a channel ref: expected { channel_id, access_key, direction } or a live channel end');
  }
  return r as StreamChannelRef;
}
