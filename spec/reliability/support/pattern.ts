import { createHash } from 'node:crypto';

/** Size of one chunk of the deterministic test stream. */
export const PATTERN_CHUNK = 16 * 1024;

/** Chunk `i` of an endless deterministic byte stream: its index, then bytes derived from it. */
export function patternChunk(i: number): Uint8Array {
  const b = Buffer.alloc(PATTERN_CHUNK);
  b.writeUInt32BE(i, 0);
  for (let j = 4; j < PATTERN_CHUNK; j++) b[j] = (i * 31 + j * 7) & 0xff;
  return b;
}

/** sha256 of the first `bytes` bytes of the pattern stream. */
export function patternDigest(bytes: number): string {
  const hash = createHash('sha256');
  let left = bytes;
  for (let i = 0; left > 0; i++) {
    const chunk = patternChunk(i);
    const take = Math.min(left, chunk.byteLength);
    hash.update(chunk.subarray(0, take));
    left -= take;
  }
  return hash.digest('hex');
}
