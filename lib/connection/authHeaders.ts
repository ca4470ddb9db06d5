import type { ConnectionOptions } from './ConnectionOptions';

/**
 * The upgrade headers of a worker socket: `headers`, with `Authorization: Bearer <token>` when `token` is
 * given or env `III_TOKEN` is set (Node); the token wins over an `Authorization` entry in `headers`.
 *
 * @example
 * ```ts
 * authHeaders({ token: 's3cret' }); // { Authorization: 'Bearer s3cret' }
 * ```
 */
export function authHeaders(options: Pick<ConnectionOptions, 'headers' | 'token'>): Record<string, string> | undefined {
  const envToken = typeof process !== 'undefined' ? process.env?.III_TOKEN : undefined;
  const token = options.token ?? (envToken === '' ? undefined : envToken);
  return token !== undefined ? { ...options.headers, Authorization: `Bearer ${token}` } : options.headers;
}
