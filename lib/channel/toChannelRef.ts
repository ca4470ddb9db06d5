import { InvalidChannelRefError } from '../errors/InvalidChannelRefError';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { validateChannelRef } from './channelUrl';

/** A channel ref, or anything that serialises to one (a live `ChannelReader` or `ChannelWriter`). */
export type ChannelRefLike = StreamChannelRef | { toJSON(): StreamChannelRef };

/**
 * The plain ref behind `end`: a ref as it is, a live end as its `toJSON()`. Lets `channelReader(url, x)` take
 * whatever a payload delivered, whether the worker's codec turned the ref into a live end or not.
 *
 * @throws InvalidChannelRefError (code `INVALID_CHANNEL_REF`) when `end` carries no `channel_id` UUID and
 *   `access_key` string
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
    throw new InvalidChannelRefError('not a channel ref: expected { channel_id, access_key, direction } or a live channel end');
  }
  // the direction is the caller's to set (a reader always reads): check the rest as a read ref
  validateChannelRef({ channel_id: r.channel_id, access_key: r.access_key, direction: 'read' });
  return r as StreamChannelRef;
}
