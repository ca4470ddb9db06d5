import type { SocketFactory, SocketHandlers } from '../socket/SocketLike';
import type { ZoneLike } from './ZoneLike';

/**
 * Wraps a socket factory so that sockets open, and their events run, outside the Angular zone: a busy channel then
 * triggers no change detection. Re-enter the zone where the UI needs it (see `enterZone`).
 *
 * @example
 * ```ts
 * const factory = zoneAwareSocketFactory(inject(NgZone), defaultSocketFactory);
 * const worker = connectWorker(url, { socketFactory: factory });
 * ```
 */
export function zoneAwareSocketFactory(zone: ZoneLike, inner: SocketFactory): SocketFactory {
  return (url, options) => {
    const socket = zone.runOutsideAngular(() => inner(url, options));
    const outside =
      <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
      (...args: A): void => {
        if (fn) zone.runOutsideAngular(() => fn(...args));
      };
    return {
      get readyState() {
        return socket.readyState;
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      get canPause() {
        return socket.canPause;
      },
      setHandlers(h: SocketHandlers) {
        socket.setHandlers({
          open: outside(h.open),
          message: outside(h.message),
          close: outside(h.close),
          error: outside(h.error),
          activity: outside(h.activity),
        });
      },
      send: (data, cb) => zone.runOutsideAngular(() => socket.send(data, cb && outside(cb))),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: (code, reason) => zone.runOutsideAngular(() => socket.close(code, reason)),
      terminate: () => zone.runOutsideAngular(() => socket.terminate()),
      ping: socket.ping ? () => zone.runOutsideAngular(() => socket.ping!()) : undefined,
    };
  };
}
