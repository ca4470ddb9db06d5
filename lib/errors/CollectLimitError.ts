import { IiiRxError } from './IiiRxError';

/**
 * `collect({ maxBytes })` would have had to buffer more bytes than it was allowed.
 *
 * @example
 * ```ts
 * if (err instanceof CollectLimitError) console.log(err.code); // 'COLLECT_LIMIT'
 * ```
 */
export class CollectLimitError extends IiiRxError {
  static readonly code = 'COLLECT_LIMIT';

  constructor(message: string, options?: { cause?: unknown }) {
    super('COLLECT_LIMIT', message, options);
  }
}
