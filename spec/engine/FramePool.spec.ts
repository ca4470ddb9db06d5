import { FramePool } from '../../lib/engine/FramePool';

const MiB = 1024 * 1024;

describe('FramePool', () => {
  it('pools payloads from 1 MiB on', () => {
    const pool = new FramePool(16 * MiB);
    expect(pool.pools(MiB - 1)).toBe(false);
    expect(pool.pools(MiB)).toBe(true);
  });

  it('hands out a buffer of exactly the asked length and reuses its memory once given back', () => {
    const pool = new FramePool(16 * MiB);
    const first = pool.take(3 * MiB + 5);
    expect(first.length).toBe(3 * MiB + 5);
    expect(first.buffer.byteLength).toBe(4 * MiB); // its power-of-two class
    expect(pool.lentBytes).toBe(4 * MiB);
    pool.give(first);
    expect(pool.lentBytes).toBe(0);
    expect(pool.idleBytes).toBe(4 * MiB);
    // another length of the same class gets the same memory
    const second = pool.take(4 * MiB);
    expect(second.buffer).toBe(first.buffer);
    expect(pool.counters).toEqual({ reused: 1, allocated: 1 });
    expect(pool.idleBytes).toBe(0);
  });

  it('never lends one buffer twice at once', () => {
    const pool = new FramePool(16 * MiB);
    const a = pool.take(2 * MiB);
    const b = pool.take(2 * MiB);
    expect(b.buffer).not.toBe(a.buffer);
    pool.give(a);
    const c = pool.take(2 * MiB);
    expect(c.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
  });

  it('keeps at most maxIdleBytes idle; what is given back beyond that is dropped', () => {
    const pool = new FramePool(4 * MiB);
    const lent = [pool.take(2 * MiB), pool.take(2 * MiB), pool.take(2 * MiB)];
    for (const b of lent) pool.give(b);
    expect(pool.idleBytes).toBe(4 * MiB);
    expect(pool.lentBytes).toBe(0);
    const again = [pool.take(2 * MiB), pool.take(2 * MiB), pool.take(2 * MiB)];
    expect(pool.counters).toEqual({ reused: 2, allocated: 4 });
    expect(new Set(again.map((b) => b.buffer)).size).toBe(3);
  });

  it('ignores buffers it never lent and buffers given back twice', () => {
    const pool = new FramePool(16 * MiB);
    pool.give(Buffer.alloc(2 * MiB));
    expect(pool.idleBytes).toBe(0);
    const a = pool.take(2 * MiB);
    pool.give(a);
    pool.give(a);
    expect(pool.idleBytes).toBe(2 * MiB);
    expect(pool.lentBytes).toBe(0);
    // with one idle buffer, two takes must not share it
    expect(pool.take(2 * MiB).buffer).not.toBe(pool.take(2 * MiB).buffer);
  });

  it('with no room for idle buffers, allocates every time', () => {
    const pool = new FramePool(0);
    pool.give(pool.take(MiB));
    expect(pool.idleBytes).toBe(0);
    pool.take(MiB);
    expect(pool.counters).toEqual({ reused: 0, allocated: 2 });
  });
});
