import * as t from 'io-ts';

/** Which end of a channel a ref lets its holder open. */
export type ChannelDirection = 'read' | 'write';

/** io-ts codec of a channel ref (PROTOCOL.md §7). Extra keys are allowed and dropped. */
export const StreamChannelRefCodec = t.type(
  {
    channel_id: t.string,
    access_key: t.string,
    direction: t.keyof({ read: null, write: null }),
  },
  'StreamChannelRef',
);

/**
 * The small serialisable token that lets another worker open one end of a channel.
 * Both refs of a channel share `channel_id` and `access_key`; `direction` is the holder's end.
 */
export interface StreamChannelRef {
  channel_id: string;
  access_key: string;
  direction: ChannelDirection;
}

/**
 * The official SDK's exact test for a ref: a non-null object with string `channel_id` and `access_key`
 * and `direction` exactly `"read"` or `"write"`.
 *
 * @example
 * ```ts
 * isStreamChannelRef({ channel_id: 'c', access_key: 'k', direction: 'read' }); // true
 * ```
 */
export function isStreamChannelRef(value: unknown): value is StreamChannelRef {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.channel_id === 'string' &&
    typeof v.access_key === 'string' &&
    (v.direction === 'read' || v.direction === 'write')
  );
}

/**
 * True for an object that carries a ref's two string keys, whatever its `direction`: the codec reports
 * such an object with a bad direction as a decode error instead of passing it on as data.
 */
export function looksLikeStreamChannelRef(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.channel_id === 'string' && typeof v.access_key === 'string' && 'direction' in v;
}
