/** The smallest size class: frames below it are not pooled (they cost little to allocate). */
const MIN_CLASS = 1024 * 1024;

/** The power-of-two size class (at least 1 MiB) a payload of `length` bytes is taken from. */
function sizeClass(length: number): number {
  let size = MIN_CLASS;
  while (size < length) size *= 2;
  return size;
}

/**
 * Reusable buffers for the payloads of large channel frames, by power-of-two size class (1 MiB, 2 MiB, 4 MiB,
 * …). A payload is {@link take}n as a view of a class buffer and {@link give}n back once nothing reads it any
 * more (the reader socket's send callback fired, or the frame was discarded); the buffer then waits for the
 * next frame of its class. Idle buffers are bounded in bytes (`maxIdleBytes`): one given back beyond that is
 * left to the garbage collector. Lent buffers are not bounded here — each one is a frame the channel's byte
 * cap already counts. A stream of equal large frames so reuses a handful of buffers instead of allocating
 * (and leaving V8 to free late) a fresh one per frame.
 *
 * @example
 * ```ts
 * const pool = new FramePool(32 * 1024 * 1024);
 * const payload = pool.take(8 * 1024 * 1024); // an 8 MiB view of an 8 MiB class buffer
 * pool.give(payload); // idle again; the next take(8 MiB) returns the same memory
 * ```
 */
export class FramePool {
  /** Idle buffers by size class. */
  private readonly idle = new Map<number, ArrayBuffer[]>();
  /** Class size of each buffer lent out (weak: a payload never given back is simply collected). */
  private readonly lent = new WeakMap<ArrayBuffer, number>();
  private idleTotal = 0;
  private lentTotal = 0;
  private reusedCount = 0;
  private allocatedCount = 0;

  constructor(
    /** Most bytes kept idle, all classes together. */
    readonly maxIdleBytes: number,
  ) {}

  /** True when payloads of `length` bytes are pooled (from 1 MiB on). */
  pools(length: number): boolean {
    return length >= MIN_CLASS;
  }

  /** A buffer of exactly `length` bytes (contents undefined), reused when one of its class is idle. */
  take(length: number): Buffer {
    const size = sizeClass(length);
    let memory = this.idle.get(size)?.pop();
    if (memory) {
      this.idleTotal -= size;
      this.reusedCount++;
    } else {
      memory = new ArrayBuffer(size);
      this.allocatedCount++;
    }
    this.lent.set(memory, size);
    this.lentTotal += size;
    return Buffer.from(memory, 0, length);
  }

  /**
   * Gives back a payload from {@link take} once nothing reads it any more. Anything else (a buffer this pool
   * never lent, or one already given back) is ignored, so callers may pass every payload they handled.
   */
  give(payload: Buffer): void {
    const memory = payload.buffer as ArrayBuffer;
    const size = this.lent.get(memory);
    if (size === undefined) return;
    this.lent.delete(memory);
    this.lentTotal -= size;
    if (this.idleTotal + size > this.maxIdleBytes) return;
    const list = this.idle.get(size) ?? [];
    list.push(memory);
    this.idle.set(size, list);
    this.idleTotal += size;
  }

  /** Bytes of the buffers waiting idle. */
  get idleBytes(): number {
    return this.idleTotal;
  }

  /** Bytes of the buffers lent out and not given back yet. */
  get lentBytes(): number {
    return this.lentTotal;
  }

  /** Payloads served from an idle buffer, and from a fresh allocation. */
  get counters(): { reused: number; allocated: number } {
    return { reused: this.reusedCount, allocated: this.allocatedCount };
  }
}
