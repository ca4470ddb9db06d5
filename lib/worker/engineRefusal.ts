import { AuthError } from '../errors/AuthError';
import type { Frame } from '../protocol/Frame';

/**
 * The AuthError an engine `error` frame means, when it refuses this worker's credentials
 * (`{"type":"error","error":{"code":"AUTH_ERROR",…}}`, PROTOCOL.md §2); `undefined` for any other frame.
 * Waiting cannot make a wrong token right, so the worker closes for good with it.
 *
 * @example
 * ```ts
 * engineRefusal({ type: 'error', error: { code: 'AUTH_ERROR', message: 'no' } }, url); // AuthError
 * ```
 */
export function engineRefusal(frame: Frame, url: string): AuthError | undefined {
  if (frame.type !== 'error') return undefined;
  const body = frame.error as { code?: unknown; message?: unknown } | null | undefined;
  if (!body || typeof body !== 'object' || body.code !== 'AUTH_ERROR') return undefined;
  const detail = typeof body.message === 'string' ? body.message : 'AUTH_ERROR';
  return new AuthError(`the engine at ${url} refused this worker: ${detail}`);
}
