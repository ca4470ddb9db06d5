import { SocketError } from '../errors/SocketError';
import type { SocketFactory, SocketHandlers, SocketLike } from '../socket/SocketLike';

/**
 * The socket factory of an `IiiRxService` rendered on the server (Angular SSR): it makes no network connection.
 * Its sockets never open; closing one reports the close, sending fails. The service closes its worker at once,
 * so a server render keeps no socket and no timer.
 */
export const serverSocketFactory: SocketFactory = () => {
  let handlers: SocketHandlers = {};
  let readyState = 0;
  const end = (code: number, reason: string) => {
    if (readyState === 3) return;
    readyState = 3;
    queueMicrotask(() => handlers.close?.(code, reason));
  };
  const socket: SocketLike = {
    get readyState() {
      return readyState;
    },
    bufferedAmount: 0,
    canPause: false,
    setHandlers(h) {
      handlers = h;
    },
    send(_data, cb) {
      if (cb) queueMicrotask(() => cb(new SocketError('no sockets in a server render')));
    },
    pause: () => undefined,
    resume: () => undefined,
    close: (code = 1000, reason = '') => end(code, reason),
    terminate: () => end(1006, ''),
  };
  return socket;
};
