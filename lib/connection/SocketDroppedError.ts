/**
 * The connection's socket closed without being asked to: the error a socket session ends with, which the
 * reconnect policy retries. It stays inside the connection (the `cause` of a give-up's ConnectionClosedError).
 *
 * @example
 * ```ts
 * if (err instanceof SocketDroppedError && !err.opened) console.log('refused:', err.socketError?.message);
 * ```
 */
export class SocketDroppedError extends Error {
  constructor(
    /** The WebSocket close code (1006: dropped without a close frame). */
    readonly code: number,
    readonly reason: string,
    /** Whether the socket had opened before it closed. */
    readonly opened: boolean,
    /** The socket's error event before the close, if any (e.g. ECONNREFUSED). */
    readonly socketError?: Error,
  ) {
    super(`the worker socket closed (${code}${reason ? ` ${reason}` : ''})`, { cause: socketError });
    this.name = 'SocketDroppedError';
  }
}
