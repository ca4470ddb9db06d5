import { InvalidChannelRefError } from '../errors/InvalidChannelRefError';
import { PROTOCOL } from '../protocol/constants';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';

/** A hyphenated UUID, any case: the only shape of `channel_id` the engine hands out. */
const CHANNEL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a ref before it becomes a URL: `channel_id` a UUID, `access_key` a string, `direction` `read` or
 * `write`. Refs come from other workers' payloads, so nothing of them reaches a URL unchecked.
 *
 * @throws InvalidChannelRefError (code `INVALID_CHANNEL_REF`) naming the bad field
 * @example
 * ```ts
 * validateChannelRef({ channel_id: '/otel', access_key: 'k', direction: 'read' }); // throws INVALID_CHANNEL_REF
 * ```
 */
export function validateChannelRef(ref: StreamChannelRef): StreamChannelRef {
  const r = ref as Partial<Record<keyof StreamChannelRef, unknown>> | null;
  if (r === null || typeof r !== 'object') throw new InvalidChannelRefError('not a channel ref: expected an object');
  if (typeof r.channel_id !== 'string' || !CHANNEL_ID.test(r.channel_id)) {
    throw new InvalidChannelRefError(`channel ref has channel_id ${preview(r.channel_id)}; expected a UUID`);
  }
  if (typeof r.access_key !== 'string') throw new InvalidChannelRefError('channel ref has no access_key string');
  if (r.direction !== 'read' && r.direction !== 'write') {
    throw new InvalidChannelRefError(`channel ref has direction ${preview(r.direction)}; expected "read" or "write"`);
  }
  return ref;
}

/**
 * The URL of one channel end (PROTOCOL.md §1): the engine address with one trailing `/` removed, then
 * `/ws/channels/<id>?key=<encoded key>&dir=<read|write>`. The ref is validated first
 * ({@link validateChannelRef}): the id must be a UUID and the key is URL-encoded, so a ref cannot point
 * the client at another path.
 *
 * @throws InvalidChannelRefError (code `INVALID_CHANNEL_REF`) for a ref that does not validate
 * @example
 * ```ts
 * channelUrl('ws://127.0.0.1:49134/', { channel_id: '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa', access_key: 'k', direction: 'read' });
 * // 'ws://127.0.0.1:49134/ws/channels/0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa?key=k&dir=read'
 * ```
 */
export function channelUrl(engineUrl: string, ref: StreamChannelRef): string {
  validateChannelRef(ref);
  const base = engineUrl.endsWith('/') ? engineUrl.slice(0, -1) : engineUrl;
  return `${base}${PROTOCOL.channelPath}${ref.channel_id.toLowerCase()}?key=${encodeURIComponent(ref.access_key)}&dir=${ref.direction}`;
}

/** A short, printable rendering of an untrusted value for an error message. */
function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
  return text;
}
