import { IiiRxError } from './IiiRxError';

/**
 * A frame could not be turned into JSON (a circular structure, a `BigInt`, ...). Nothing was sent.
 *
 * @example
 * ```ts
 * if (err instanceof PayloadEncodeError) console.log(err.code); // 'PAYLOAD_NOT_JSON'
 * ```
 */
export class PayloadEncodeError extends IiiRxError {
  static readonly code = 'PAYLOAD_NOT_JSON';

  constructor(message: string, options?: { cause?: unknown }) {
    super('PAYLOAD_NOT_JSON', message, options);
  }
}
