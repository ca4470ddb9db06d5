import { SocketError } from '../errors/SocketError';
import type { OpenSocketOptions, SocketLike } from './SocketLike';

/**
 * The browser build's stand-in for `openNodeSocket.ts`: `ws` does not run in browsers, so this always throws.
 * Use `openBrowserSocket` (the browser default) instead.
 *
 * @throws {SocketError} always.
 */
export function openNodeSocket(url: string, _options?: OpenSocketOptions): SocketLike {
  throw new SocketError(`openNodeSocket is not available in browsers (asked for ${url.replace(/([?&]key=)[^&]*/, '$1***')}); use openBrowserSocket`);
}

/** Stand-in for `wrapNodeSocket`; see {@link openNodeSocket}. @throws {SocketError} always. */
export function wrapNodeSocket(_ws: unknown, _options?: { batchWrites?: boolean }): SocketLike {
  throw new SocketError('wrapNodeSocket is not available in browsers; use openBrowserSocket');
}
