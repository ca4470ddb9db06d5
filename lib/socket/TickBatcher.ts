/** The part of a Node stream (a `net.Socket`) that write batching needs. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** Bytes written to the stream and not yet handed to the system (corked ones included). */
  readonly writableLength: number;
}

/** Default most bytes held back at once; a bigger batch is written as soon as it reaches it. */
export const DEFAULT_MAX_HELD_BYTES = 64 * 1024;

/**
 * Batches every write made to one socket during one turn of the event loop into a single system call
 * (`writev`): the first {@link hold} of a turn corks the socket, and it is uncorked again on
 * `process.nextTick`, i.e. once the current callback and its promise reactions are done, before any I/O
 * is polled. Without it, each WebSocket message costs its own `writev`, which dominates a busy
 * connection. Nothing waits longer than the current turn, and the socket's own buffer (with its
 * `bufferedAmount` accounting) holds the data in the meantime, so no extra memory is involved. At most
 * `maxHeldBytes` are held: once a batch reaches it, it is written at once (and what follows is held
 * again), so held bytes never pass for backpressure — owners that stop sending above a mark of unsent
 * bytes see the same figures as without batching. Node only (it needs `process.nextTick`).
 *
 * @example
 * ```ts
 * const batch = new TickBatcher(rawSocket);
 * batch.hold();
 * ws.send(a);
 * ws.send(b); // a and b leave in one writev at the end of this tick
 * ```
 */
export class TickBatcher {
  private held = false;

  constructor(
    private readonly socket: Corkable,
    private readonly maxHeldBytes = DEFAULT_MAX_HELD_BYTES,
  ) {}

  /** Holds the next write until the end of the current tick (or writes the batch now, once it is full). */
  hold(): void {
    if (this.held) {
      if (this.socket.writableLength < this.maxHeldBytes) return;
      this.socket.uncork();
      this.socket.cork();
      return;
    }
    this.held = true;
    this.socket.cork();
    process.nextTick(release, this);
  }

  /** Writes what is held now (before a close or terminate, so nothing sent is lost). */
  flush(): void {
    if (!this.held) return;
    this.held = false;
    this.socket.uncork();
  }
}

function release(batcher: TickBatcher): void {
  batcher.flush();
}
