import { IiiRxError } from './IiiRxError';

/**
 * A value did not have the expected shape. `path` is the JSON path of the bad field (`""` for the value
 * itself), and the message names it.
 *
 * @example
 * ```ts
 * if (err instanceof DecodeError) console.log(err.code, err.path); // 'DECODE_ERROR' 'input.items[2]'
 * ```
 */
export class DecodeError extends IiiRxError {
  static readonly code = 'DECODE_ERROR';
  /** JSON path of the first bad field. */
  readonly path: string;

  constructor(message: string, path = '', options?: { cause?: unknown }) {
    super('DECODE_ERROR', message, options);
    this.path = path;
  }
}
