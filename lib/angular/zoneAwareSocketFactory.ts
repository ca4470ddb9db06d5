import type { SocketFactory, SocketHandlers } from '../socket/SocketLike';
import type { ZoneLike } from './ZoneLike';

/** Options of {@link zoneAwareSocketFactory}. */
export interface ZoneAwareSocketOptions {
  /**
   * Sockets whose events (messages, close, errors) run inside the zone, by URL: their data then reaches
   * subscribers inside it. Every other socket stays entirely outside. Default: none.
   */
  deliverInside?: (url: string) => boolean;
}

/**
 * Wraps a socket factory so that sockets open, and their events run, outside the Angular zone: a busy channel then
 * triggers no change detection. Re-enter the zone where the UI needs it (see `enterZone`), or name the sockets
 * whose events should run inside it (`deliverInside`).
 *
 * @example
 * ```ts
 * const factory = zoneAwareSocketFactory(inject(NgZone), defaultSocketFactory);
 * const worker = connectWorker(url, { socketFactory: factory });
 * ```
 */
export function zoneAwareSocketFactory(zone: ZoneLike, inner: SocketFactory, config: ZoneAwareSocketOptions = {}): SocketFactory {
  return (url, options) => {
    const socket = zone.runOutsideAngular(() => inner(url, options));
    const outside =
      <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
      (...args: A): void => {
        if (fn) zone.runOutsideAngular(() => fn(...args));
      };
    const inside =
      <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
      (...args: A): void => {
        if (fn) zone.run(() => fn(...args));
      };
    const deliver = config.deliverInside?.(url) ? inside : outside;
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
          message: deliver(h.message),
          close: deliver(h.close),
          error: deliver(h.error),
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
