import { IiiRxError } from './IiiRxError';

/**
 * The engine answered 404 when opening a channel end: unknown channel id or wrong access key.
 *
 * @example
 * ```ts
 * if (err instanceof ChannelNotFoundError) console.log(err.code); // 'CHANNEL_NOT_FOUND'
 * ```
 */
export class ChannelNotFoundError extends IiiRxError {
  static readonly code = 'CHANNEL_NOT_FOUND';

  constructor(message: string, options?: { cause?: unknown }) {
    super('CHANNEL_NOT_FOUND', message, options);
  }
}
