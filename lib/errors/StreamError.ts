import { IiiRxError } from './IiiRxError';

/**
 * The producer of a value stream failed: its error travelled in-band as the stream's final record.
 * `code` is the producer's code (the `code` of an `IiiRxError` it raised, `stream_failed` for any other
 * error) and the message is the producer's message.
 *
 * @example
 * ```ts
 * worker.stream('logs::tail', {}).subscribe({ error: (err) => err instanceof StreamError && console.log(err.code) });
 * ```
 */
export class StreamError extends IiiRxError {
  /** The code used when the producer's error carried none. */
  static readonly defaultCode = 'stream_failed';

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
