import { openChannelReadSocket } from './openChannelReadSocket';
import { openNodeSocket } from './openNodeSocket';
import type { SocketFactory } from './SocketLike';

/** A channel's read end (`/ws/channels/{id}?…&dir=read`): read with the lean frame reader. */
function isChannelReadUrl(url: string): boolean {
  return /\/ws\/channels\/[^/?#]+\?(?:[^#]*&)?dir=read(?:&|#|$)/.test(url);
}

/**
 * The socket factory used when none is given: `ws` on Node, except for the read ends of channels, which use
 * {@link openChannelReadSocket} (same wire, a fraction of the memory for large frames). Browser builds swap
 * this module for one over the DOM WebSocket, so code should import the default from here, never
 * `openNodeSocket` directly.
 */
export const defaultSocketFactory: SocketFactory = (url, options) =>
  isChannelReadUrl(url) ? openChannelReadSocket(url, options) : openNodeSocket(url, options);
