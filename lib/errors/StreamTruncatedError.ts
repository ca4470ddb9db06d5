import { IiiRxError } from './IiiRxError';

/**
 * A value stream ended without its end record: the producer died, was cancelled or its socket was dropped
 * before it finished, so the values received are only a prefix of the stream.
 *
 * @example
 * ```ts
 * if (err instanceof StreamTruncatedError) console.log(err.code); // 'STREAM_TRUNCATED'
 * ```
 */
export class StreamTruncatedError extends IiiRxError {
  static readonly code = 'STREAM_TRUNCATED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('STREAM_TRUNCATED', message, options);
  }
}
