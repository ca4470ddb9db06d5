import { PROTOCOL } from '../protocol/constants';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';

/**
 * The URL of one channel end (PROTOCOL.md §1): the engine address with one trailing `/` removed, then
 * `/ws/channels/<id>?key=<encoded key>&dir=<read|write>`.
 *
 * @example
 * ```ts
 * channelUrl('ws://127.0.0.1:49134/', { channel_id: 'c', access_key: 'k', direction: 'read' });
 * // 'ws://127.0.0.1:49134/ws/channels/c?key=k&dir=read'
 * ```
 */
export function channelUrl(engineUrl: string, ref: StreamChannelRef): string {
  const base = engineUrl.endsWith('/') ? engineUrl.slice(0, -1) : engineUrl;
  return `${base}${PROTOCOL.channelPath}${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${ref.direction}`;
}
