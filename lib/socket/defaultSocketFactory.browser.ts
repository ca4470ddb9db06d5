import { openBrowserSocket } from './openBrowserSocket';
import type { SocketFactory } from './SocketLike';

/**
 * The browser build's replacement for `defaultSocketFactory.ts`: the DOM WebSocket instead of `ws`. The browser
 * bundle (`scripts/build-browser.mjs`) swaps the module in, so nothing reachable from it imports `ws`.
 */
export const defaultSocketFactory: SocketFactory = openBrowserSocket;
