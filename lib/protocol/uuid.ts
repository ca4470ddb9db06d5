const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BRACED_RE = /^\{(.*)\}$/;
const URN_RE = /^urn:uuid:(.*)$/i;

/**
 * Parses a UUID in any of the usual textual forms (hyphenated or simple, any case, braced, `urn:uuid:`)
 * and returns it lowercase and hyphenated, the form the iii engine re-emits; `undefined` if it is not a UUID.
 *
 * @example
 * ```ts
 * normalizeUuid('0D9B6A523F1E4E0AA8C45D2F7E61B9AA'); // '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa'
 * ```
 */
export function normalizeUuid(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let s = value.trim();
  const urn = URN_RE.exec(s);
  if (urn) s = urn[1];
  const braced = BRACED_RE.exec(s);
  if (braced) s = braced[1];
  if (!UUID_RE.test(s)) return undefined;
  const hex = s.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

