import { createHash } from 'node:crypto';
import { DEMO_CHUNK_BYTES, demoData } from '../../../lib/cli/demo/demoData';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}
const sha = (chunks: Uint8Array[]) => chunks.reduce((h, c) => h.update(c), createHash('sha256')).digest('hex');

describe('demoData', () => {
  it('yields exactly `size` bytes in 64 KiB chunks, the last one shorter', async () => {
    const chunks = await collect(demoData(3 * DEMO_CHUNK_BYTES + 100));
    expect(chunks.map((c) => c.byteLength)).toEqual([DEMO_CHUNK_BYTES, DEMO_CHUNK_BYTES, DEMO_CHUNK_BYTES, 100]);
    expect(await collect(demoData(0))).toEqual([]);
  });

  it('is deterministic per seed and differs between seeds and chunks', async () => {
    const a = await collect(demoData(2 * DEMO_CHUNK_BYTES, 7));
    const b = await collect(demoData(2 * DEMO_CHUNK_BYTES, 7));
    const c = await collect(demoData(2 * DEMO_CHUNK_BYTES, 8));
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    expect(Buffer.from(a[0]).equals(Buffer.from(a[1]))).toBe(false);
  });

  it('hands out a fresh buffer per chunk (a writer may still hold the previous one)', async () => {
    const chunks = await collect(demoData(2 * DEMO_CHUNK_BYTES));
    expect(chunks[0].buffer).not.toBe(chunks[1].buffer);
  });

  it('looks random enough to be worth hashing (every byte value occurs)', async () => {
    const [chunk] = await collect(demoData(DEMO_CHUNK_BYTES));
    expect(new Set(chunk).size).toBe(256);
  });

  it('refuses a negative or fractional size', async () => {
    await expect(collect(demoData(-1))).rejects.toThrow(RangeError);
    await expect(collect(demoData(1.5))).rejects.toThrow('non-negative integer');
  });
});
