import { IiiRxError } from './IiiRxError';

/**
 * A channel ref that cannot name a channel: `channel_id` is not a UUID, `access_key` is not a string, or
 * `direction` is neither `"read"` nor `"write"`. Raised before any socket is opened, so a ref from an
 * untrusted peer can never make the client request another path on the engine.
 *
 * @example
 * ```ts
 * try {
 *   channelReader(engine.url, { channel_id: '../otel', access_key: 'k', direction: 'read' });
 * } catch (err) {
 *   if (err instanceof InvalidChannelRefError) console.log(err.code); // 'INVALID_CHANNEL_REF'
 * }
 * ```
 */
export class InvalidChannelRefError extends IiiRxError {
  static readonly code = 'INVALID_CHANNEL_REF';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_CHANNEL_REF', message, options);
  }
}
