import type { IncomingHttpHeaders } from 'node:http';

/**
 * Checks a WebSocket upgrade request the way the real engine's HTTP stack does (PROTOCOL.md §10.7) and returns
 * the text of its 400 answer, or undefined when the request may be upgraded. Version 8 is refused (only 13 is
 * accepted), and a missing key is named.
 *
 * @example
 * ```ts
 * checkUpgradeHeaders({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '8' });
 * // "`Sec-WebSocket-Version` header did not include '13'"
 * ```
 */
export function checkUpgradeHeaders(headers: IncomingHttpHeaders): string | undefined {
  const tokens = (v: string | string[] | undefined) =>
    (Array.isArray(v) ? v.join(',') : v ?? '').split(',').map((t) => t.trim().toLowerCase());
  if (!tokens(headers.connection).includes('upgrade')) return "Connection header did not include 'upgrade'";
  if (!tokens(headers.upgrade).includes('websocket')) return "`Upgrade` header did not include 'websocket'";
  if ((headers['sec-websocket-version'] ?? '').toString().trim() !== '13') return "`Sec-WebSocket-Version` header did not include '13'";
  if (!headers['sec-websocket-key']) return '`Sec-WebSocket-Key` header missing';
  return undefined;
}
