/** The part of a Node stream (a `net.Socket`) that write batching needs. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Batches every write made to one socket during one turn of the event loop into a single system call
 * (`writev`): the first {@link hold} of a turn corks the socket, and it is uncorked again on
 * `process.nextTick`, i.e. once the current callback and its promise reactions are done, before any I/O
 * is polled. Without it, each WebSocket message costs its own `writev`, which dominates a busy
 * connection. Nothing waits longer than the current turn, and the socket's own buffer (with its
 * `bufferedAmount` accounting) holds the data in the meantime, so no extra memory is involved.
 * Node only (it needs `process.nextTick`).
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

  constructor(private readonly socket: Corkable) {}

  /** Holds writes until the end of the current tick (idempotent within a tick). */
  hold(): void {
    if (this.held) return;
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
