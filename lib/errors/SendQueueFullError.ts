import { IiiRxError } from './IiiRxError';

/**
 * The bounded queue of frames waiting for the connection to open is full; the frame was refused, not dropped.
 *
 * @example
 * ```ts
 * if (err instanceof SendQueueFullError) console.log(err.code); // 'SEND_QUEUE_FULL'
 * ```
 */
export class SendQueueFullError extends IiiRxError {
  static readonly code = 'SEND_QUEUE_FULL';

  constructor(message: string, options?: { cause?: unknown }) {
    super('SEND_QUEUE_FULL', message, options);
  }
}
