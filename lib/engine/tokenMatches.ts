import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** True for the characters `\s` matches (the set `String.prototype.trim` removes). */
function isSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * The token of a `Bearer <token>` header, or undefined. One pass over the header, no regular expression:
 * the time is linear in the header's length whatever it holds (a regex with a lazy group and trailing
 * `\s*` backtracked quadratically on `bearer x` + thousands of spaces + `y`).
 */
function bearerToken(header: string): string | undefined {
  let i = 0;
  while (i < header.length && isSpace(header.charCodeAt(i))) i++;
  if (header.slice(i, i + 6).toLowerCase() !== 'bearer' || !isSpace(header.charCodeAt(i + 6))) return undefined;
  return header.slice(i + 7).trim();
}

/**
 * True when an `Authorization` header carries `Bearer <token>` for the engine's token. The header is
 * parsed in one linear pass, and the comparison runs over fixed-size digests with `timingSafeEqual`, so
 * its time does not depend on how much of the token was right, and grows only linearly with the header.
 * The scheme name is case-insensitive (RFC 7235); the token is not.
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
  const presented = typeof header === 'string' ? bearerToken(header) : undefined;
  // always compare, so a missing header costs the same as a wrong one
  const same = timingSafeEqual(digest(presented ?? ''), digest(token));
  return presented !== undefined && same;
}
