import { normalizeUuid } from '../protocol/uuid';

/**
 * {@link normalizeUuid} for the engine's hot path: every call's id is checked (twice), and nearly all
 * arrive canonical already — lowercase hex, hyphenated 8-4-4-4-12 — which this returns as it is without
 * the parser (kept out of the protocol module so the browser bundle does not carry it).
 *
 * @example
 * ```ts
 * engineUuid('0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa'); // the same string
 * engineUuid('{0D9B6A52-3F1E-4E0A-A8C4-5D2F7E61B9AA}'); // '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa'
 * ```
 */
export function engineUuid(value: unknown): string | undefined {
  return typeof value === 'string' && isCanonicalUuid(value) ? value : normalizeUuid(value);
}

function isCanonicalUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}
