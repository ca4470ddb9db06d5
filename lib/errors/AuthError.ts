import { IiiRxError } from './IiiRxError';

/**
 * The engine refused this worker's credentials (`{"type":"error","error":{"code":"AUTH_ERROR",…}}`, then a
 * close). The connection does not retry: a wrong or missing token will not become right by waiting. Calls
 * that were waiting fail with it, and the worker's state goes `closed`.
 *
 * @example
 * ```ts
 * worker.trigger('math::add', { a: 1, b: 2 }).subscribe({
 *   error: (err) => { if (err instanceof AuthError) console.error('check III_TOKEN:', err.message); },
 * });
 * ```
 */
export class AuthError extends IiiRxError {
  static readonly code = 'AUTH_ERROR';

  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTH_ERROR', message, options);
  }
}
