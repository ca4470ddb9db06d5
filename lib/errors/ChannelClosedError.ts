import { IiiRxError } from './IiiRxError';

/**
 * The other end of a channel went away (or the engine dropped this end) before the stream finished.
 *
 * @example
 * ```ts
 * if (err instanceof ChannelClosedError) console.log(err.code); // 'CHANNEL_CLOSED'
 * ```
 */
export class ChannelClosedError extends IiiRxError {
  static readonly code = 'CHANNEL_CLOSED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CHANNEL_CLOSED', message, options);
  }
}
