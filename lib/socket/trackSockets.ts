import type { SocketFactory, SocketHandlers, SocketLike } from './SocketLike';
import { READY_STATE } from './SocketLike';

/** A socket factory that remembers the sockets it opened until they close. */
export interface TrackedSocketFactory {
  /** Opens sockets through the inner factory and tracks them. */
  readonly factory: SocketFactory;
  /** Sockets opened and not yet closed. */
  readonly openCount: number;
  /**
   * Starts the closing handshake on every tracked socket and resolves once all of them reported their close.
   * A socket still open after `graceMs` is terminated (dropped without a handshake).
   */
  closeAll(code?: number, reason?: string, graceMs?: number): Promise<void>;
}

/**
 * Wraps a socket factory so that its owner can close every socket it opened, e.g. a worker closing the channel
 * sockets of its readers and writers when it closes. The wrapped sockets behave exactly like the inner ones.
 *
 * @example
 * ```ts
 * const tracked = trackSockets(openNodeSocket);
 * const reader = channelReader(url, ref, { socketFactory: tracked.factory });
 * // ...
 * await tracked.closeAll(1001, 'worker closed');
 * ```
 */
export function trackSockets(inner: SocketFactory): TrackedSocketFactory {
  const open = new Map<SocketLike, Promise<void>>();

  const factory: SocketFactory = (url, options) => {
    const socket = inner(url, options);
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    let handlers: SocketHandlers = {};
    const install = (): void =>
      socket.setHandlers({
        ...handlers,
        close: (code, reason) => {
          open.delete(socket);
          closed();
          handlers.close?.(code, reason);
        },
      });
    install();
    open.set(socket, done);
    const tracked: SocketLike = {
      get readyState() {
        return socket.readyState;
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      canPause: socket.canPause,
      setHandlers(next) {
        handlers = next;
        install();
      },
      send: (data, cb) => socket.send(data, cb),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      close: (code, reason) => socket.close(code, reason),
      terminate: () => socket.terminate(),
    };
    if (socket.ping) tracked.ping = () => socket.ping?.();
    return tracked;
  };

  return {
    factory,
    get openCount() {
      return open.size;
    },
    async closeAll(code = 1001, reason = 'going away', graceMs = 2000) {
      const pending = [...open.entries()];
      if (pending.length === 0) return;
      for (const [socket] of pending) {
        if (socket.readyState === READY_STATE.CONNECTING) socket.terminate();
        else socket.close(code, reason);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const [socket] of open) socket.terminate();
          resolve();
        }, graceMs);
      });
      await Promise.race([Promise.all(pending.map(([, done]) => done)), grace]);
      if (timer) clearTimeout(timer);
      // after a terminate the close events follow on the next turns
      await Promise.all(pending.map(([, done]) => done));
    },
  };
}
