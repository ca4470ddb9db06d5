/**
 * Base class of every error iii-rx raises. `code` is stable and safe to switch on; messages are for people.
 *
 * @example
 * ```ts
 * worker.trigger('math::add', { a: 1 }).subscribe({
 *   error: (err) => { if (err instanceof IiiRxError && err.code === 'TIMEOUT') retry(); },
 * });
 * ```
 */
export class IiiRxError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
