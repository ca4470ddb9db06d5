import { IiiRxError } from './IiiRxError';

/**
 * The worker connection was closed (by `close()` or because reconnecting gave up) while something still needed it.
 *
 * @example
 * ```ts
 * if (err instanceof ConnectionClosedError) console.log(err.code); // 'CONNECTION_CLOSED'
 * ```
 */
export class ConnectionClosedError extends IiiRxError {
  static readonly code = 'CONNECTION_CLOSED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION_CLOSED', message, options);
  }
}
