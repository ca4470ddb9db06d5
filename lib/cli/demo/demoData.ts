/** Size of the chunks the demo generates: one channel frame each. */
export const DEMO_CHUNK_BYTES = 64 * 1024;

/**
 * Deterministic pseudo-random bytes for the demo: `size` bytes in chunks of 64 KiB (the last one shorter),
 * generated lazily by a xorshift32 generator from `seed`, so memory stays flat however large `size` is and
 * the same size and seed always give the same bytes (and so the same checksum). Each chunk is a fresh
 * buffer: the channel writer may still hold the previous one.
 *
 * @example
 * ```ts
 * for await (const chunk of demoData(1024 * 1024)) hash.update(chunk); // 16 chunks of 64 KiB
 * ```
 */
export async function* demoData(size: number, seed = 0x1badb002): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  let state = seed >>> 0 || 1;
  for (let done = 0; done < size; done += DEMO_CHUNK_BYTES) {
    const words = new Uint32Array(DEMO_CHUNK_BYTES / 4);
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    const bytes = new Uint8Array(words.buffer);
    yield size - done >= DEMO_CHUNK_BYTES ? bytes : bytes.subarray(0, size - done);
  }
}
