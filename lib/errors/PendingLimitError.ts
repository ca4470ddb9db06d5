import { IiiRxError } from './IiiRxError';

/**
 * Too many calls are already waiting for their results on this worker (`maxPendingCalls`); the call was
 * refused before anything was sent.
 *
 * @example
 * ```ts
 * if (err instanceof PendingLimitError) console.log(err.code); // 'PENDING_LIMIT'
 * ```
 */
export class PendingLimitError extends IiiRxError {
  static readonly code = 'PENDING_LIMIT';

  constructor(message: string, options?: { cause?: unknown }) {
    super('PENDING_LIMIT', message, options);
  }
}
