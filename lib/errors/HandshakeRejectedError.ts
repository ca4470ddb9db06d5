import { IiiRxError } from './IiiRxError';

/**
 * The engine refused the worker connection (for example a missing or wrong auth token).
 *
 * @example
 * ```ts
 * if (err instanceof HandshakeRejectedError) console.log(err.code); // 'HANDSHAKE_REJECTED'
 * ```
 */
export class HandshakeRejectedError extends IiiRxError {
  static readonly code = 'HANDSHAKE_REJECTED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('HANDSHAKE_REJECTED', message, options);
  }
}
