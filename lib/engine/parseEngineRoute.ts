import { PROTOCOL } from '../protocol/constants';

/** Where an HTTP request to the engine goes. */
export type EngineRoute =
  | { kind: 'worker' }
  | { kind: 'otel' }
  | { kind: 'channel'; channelId: string; key: string; dir: 'read' | 'write' }
  | { kind: 'reject'; status: 400 | 404 | 405; body: string };

/**
 * Classifies a request by method and target (PROTOCOL.md §1, §6.2): `/` worker socket, `/otel` telemetry
 * socket, `/ws/channels/{id}?key=…&dir=read|write` channel socket; anything else 404 (empty body);
 * non-GET on a socket path 405; a channel request with a missing key or bad `dir` 400 — all decided
 * before any upgrade. Whether the channel exists is checked by the caller.
 *
 * @example
 * ```ts
 * parseEngineRoute('GET', '/ws/channels/abc?key=k&dir=read'); // { kind: 'channel', channelId: 'abc', key: 'k', dir: 'read' }
 * parseEngineRoute('POST', '/'); // { kind: 'reject', status: 405, body: '' }
 * ```
 */
export function parseEngineRoute(method: string | undefined, target: string | undefined): EngineRoute {
  let url: URL;
  try {
    url = new URL(target ?? '/', 'http://engine.invalid');
  } catch {
    return { kind: 'reject', status: 400, body: 'Invalid request target' };
  }
  const isGet = method === 'GET';
  const path = url.pathname;
  if (path === '/' || path === PROTOCOL.otelPath) {
    if (!isGet) return { kind: 'reject', status: 405, body: '' };
    return path === '/' ? { kind: 'worker' } : { kind: 'otel' };
  }
  if (path.startsWith(PROTOCOL.channelPath)) {
    const channelId = path.slice(PROTOCOL.channelPath.length);
    if (channelId === '' || channelId.includes('/')) return { kind: 'reject', status: 404, body: '' };
    if (!isGet) return { kind: 'reject', status: 405, body: '' };
    for (const name of ['key', 'dir']) {
      if (url.searchParams.getAll(name).length > 1) {
        return { kind: 'reject', status: 400, body: `Failed to deserialize query string: duplicate field \`${name}\`` };
      }
    }
    const key = url.searchParams.get('key');
    const dir = url.searchParams.get('dir');
    if (key === null) {
      return { kind: 'reject', status: 400, body: 'Failed to deserialize query string: missing field `key`' };
    }
    if (dir === null) {
      return { kind: 'reject', status: 400, body: 'Failed to deserialize query string: missing field `dir`' };
    }
    if (dir !== 'read' && dir !== 'write') {
      return {
        kind: 'reject',
        status: 400,
        body: `Failed to deserialize query string: dir: unknown variant \`${dir}\`, expected \`read\` or \`write\``,
      };
    }
    let decodedId: string;
    try {
      decodedId = decodeURIComponent(channelId);
    } catch {
      return { kind: 'reject', status: 404, body: '' };
    }
    return { kind: 'channel', channelId: decodedId, key, dir };
  }
  return { kind: 'reject', status: 404, body: '' };
}
