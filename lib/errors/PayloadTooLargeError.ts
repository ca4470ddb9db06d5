import { IiiRxError } from './IiiRxError';

/**
 * A JSON message is larger than an iii engine accepts in one frame (16 MiB). Send large data through a channel instead.
 *
 * @example
 * ```ts
 * if (err instanceof PayloadTooLargeError) console.log(err.code); // 'PAYLOAD_TOO_LARGE'
 * ```
 */
export class PayloadTooLargeError extends IiiRxError {
  static readonly code = 'PAYLOAD_TOO_LARGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}
