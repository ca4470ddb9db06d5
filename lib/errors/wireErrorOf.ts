import { IiiRxError } from './IiiRxError';
import { InvocationError } from './InvocationError';

/**
 * The code and message an error travels with: an `IiiRxError` keeps its own `code` (an `InvocationError`
 * its wire code and bare message), any other error gets `fallbackCode` and its message.
 *
 * @example
 * ```ts
 * wireErrorOf(new IiiRxError('NOT_ALLOWED', 'no'), 'invocation_failed'); // { code: 'NOT_ALLOWED', message: 'no' }
 * ```
 */
export function wireErrorOf(err: unknown, fallbackCode: string): { code: string; message: string } {
  if (err instanceof IiiRxError) {
    let message = err.message;
    if (err instanceof InvocationError && message.startsWith(`${err.code}: `)) message = message.slice(err.code.length + 2);
    return { code: err.code, message };
  }
  return { code: fallbackCode, message: err instanceof Error ? err.message : String(err) };
}
