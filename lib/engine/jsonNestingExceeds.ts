/**
 * True when the JSON text nests arrays/objects deeper than `limit` levels. A single pass over the bytes
 * (brackets inside strings are skipped), without parsing. The engine drops such frames before decoding,
 * as upstream's serde_json does beyond its recursion limit of 128: a deeper value could otherwise be
 * stored (worker metadata) and break every later `JSON.stringify` of it with a stack overflow.
 *
 * @example
 * ```ts
 * jsonNestingExceeds('[[1]]', 1); // true
 * jsonNestingExceeds('{"a":"[[[["}', 1); // false
 * ```
 */
export function jsonNestingExceeds(raw: string | Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  const n = raw.length;
  if (typeof raw === 'string') {
    for (let i = 0; i < n; i++) {
      const c = raw.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > limit) return true;
      } else if (c === 0x5d || c === 0x7d) depth--;
    }
    return false;
  }
  for (let i = 0; i < n; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
