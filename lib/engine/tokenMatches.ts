import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * True when an `Authorization` header carries `Bearer <token>` for the engine's token. The comparison
 * runs over fixed-size digests with `timingSafeEqual`, so its time does not depend on how much of the
 * token was right or on its length. The scheme name is case-insensitive (RFC 7235); the token is not.
 *
 * @example
 * ```ts
 * tokenMatches('Bearer s3cret', 's3cret'); // true
 * tokenMatches('Bearer wrong', 's3cret'); // false
 * tokenMatches(undefined, 's3cret'); // false
 * ```
 */
export function tokenMatches(authorization: string | string[] | undefined, token: string): boolean {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = typeof header === 'string' ? /^\s*bearer\s+(.*?)\s*$/i.exec(header) : null;
  // always compare, so a missing header costs the same as a wrong one
  const presented = match ? match[1] : '';
  const same = timingSafeEqual(digest(presented), digest(token));
  return match !== null && same;
}
