import { IiiRxError } from './IiiRxError';

/**
 * A bounded channel buffer reached its high mark and the overflow policy is to error.
 *
 * @example
 * ```ts
 * if (err instanceof ChannelOverflowError) console.log(err.code); // 'CHANNEL_OVERFLOW'
 * ```
 */
export class ChannelOverflowError extends IiiRxError {
  static readonly code = 'CHANNEL_OVERFLOW';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CHANNEL_OVERFLOW', message, options);
  }
}
