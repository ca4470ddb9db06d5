import { IiiRxError } from './IiiRxError';

/**
 * A local registration was refused: an empty id, or an id this worker already registered.
 *
 * @example
 * ```ts
 * try { worker.registerFunction('', handler); } catch (e) { (e as RegistrationError).code; } // 'INVALID_REGISTRATION'
 * ```
 */
export class RegistrationError extends IiiRxError {
  static readonly code = 'INVALID_REGISTRATION';

  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REGISTRATION', message, options);
  }
}
