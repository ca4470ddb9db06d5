import { IiiRxError } from './IiiRxError';

/**
 * A call failed. `code` is the wire `ErrorBody.code` as the engine or callee sent it (`function_not_found`,
 * `invocation_stopped`, `invocation_failed`, `enqueue_error`, ...) or a local one: `TIMEOUT`, `UNKNOWN`.
 *
 * @example
 * ```ts
 * worker.trigger('nope', {}).subscribe({ error: (e: InvocationError) => e.code }); // 'function_not_found'
 * ```
 */
export class InvocationError extends IiiRxError {
  /** The function that was called. */
  readonly functionId: string;
  /** The callee's stack trace, when it sent one. */
  readonly stacktrace?: string;

  constructor(init: { code: string; message: string; functionId: string; stacktrace?: string; cause?: unknown }) {
    super(init.code, `${init.code}: ${init.message}`, { cause: init.cause });
    this.functionId = init.functionId;
    this.stacktrace = init.stacktrace;
  }
}
