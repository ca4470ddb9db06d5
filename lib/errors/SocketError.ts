import { IiiRxError } from './IiiRxError';

/**
 * A socket failed (connection refused, reset, handshake timeout, protocol error). The cause is attached.
 *
 * @example
 * ```ts
 * if (err instanceof SocketError) console.log(err.code); // 'SOCKET_ERROR'
 * ```
 */
export class SocketError extends IiiRxError {
  static readonly code = 'SOCKET_ERROR';

  constructor(message: string, options?: { cause?: unknown }) {
    super('SOCKET_ERROR', message, options);
  }
}
