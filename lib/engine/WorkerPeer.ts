/**
 * What the engine core needs from one worker connection. {@link WorkerConnection} implements it over a
 * `ws` socket; tests may implement it in memory to drive the core directly.
 */
export interface WorkerPeer {
  /** Fresh UUIDv4 per connection, sent in `workerregistered`. */
  readonly workerId: string;
  /** Fresh UUIDv4 per connection; a later `reattach` must present it to evict this connection. */
  readonly reattachToken: string;
  /** `Date.now()` when the connection was accepted. */
  readonly connectedAt: number;
  /** Peer address, when known (for logs and `engine::workers::list`). */
  readonly remoteAddress?: string;
  /** False once the connection is closing or closed. */
  readonly isOpen: boolean;
  /**
   * Queues one frame towards the worker, in FIFO order. Returns false (and sends nothing) when the
   * connection is closed or its bounded outbound queue is full; the caller applies its own policy.
   */
  send(frame: object): boolean;
  /** Drops the connection at once, without a close frame (the peer sees 1006). Idempotent. */
  terminate(): void;
  /** Closes the connection with a status code and reason, then drops it (optional; else `terminate`). */
  closeWith?(close: { code: number; reason: string }): void;
}
