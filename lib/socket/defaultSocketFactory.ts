import { openNodeSocket } from './openNodeSocket';
import type { SocketFactory } from './SocketLike';

/**
 * The socket factory used when none is given: `ws` on Node. Browser builds swap this module for one over the
 * DOM WebSocket, so code should import the default from here, never `openNodeSocket` directly.
 */
export const defaultSocketFactory: SocketFactory = openNodeSocket;
