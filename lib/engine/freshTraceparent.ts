import { randomBytes } from 'node:crypto';

/**
 * A new W3C `traceparent` for an engine-originated call (trigger fires, http, cron, queue): random
 * 16-byte trace id and 8-byte span id, sampled (PROTOCOL.md §10.6).
 *
 * @example
 * ```ts
 * freshTraceparent(); // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 * ```
 */
export function freshTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}
