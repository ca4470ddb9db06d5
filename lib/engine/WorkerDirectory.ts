import type { WorkerPeer } from './WorkerPeer';

/** A live worker connection plus what it told the engine about itself. */
export interface WorkerEntry {
  peer: WorkerPeer;
  /**
   * What `engine::workers::register` calls told the engine, merged as upstream does (PROTOCOL.md §10.5):
   * `runtime`, `version`, `telemetry` replaced on every call; `name`, `description`, `os`, `pid`,
   * `isolation` only when given. Absent until the first call.
   */
  metadata?: Record<string, unknown>;
  /** Every function id this connection registered (even if another connection took it over since). */
  registered: Set<string>;
}

/**
 * The live worker connections, keyed by their per-connection `worker_id`, in connection order.
 *
 * @example
 * ```ts
 * const workers = new WorkerDirectory();
 * workers.add(peer);
 * workers.setMetadata(peer.workerId, { name: 'box:42', runtime: 'node' }); // true
 * ```
 */
export class WorkerDirectory {
  private readonly workers = new Map<string, WorkerEntry>();

  add(peer: WorkerPeer): void {
    this.workers.set(peer.workerId, { peer, registered: new Set() });
  }

  /** Removes the entry if it is still this peer's. */
  remove(peer: WorkerPeer): void {
    if (this.workers.get(peer.workerId)?.peer === peer) this.workers.delete(peer.workerId);
  }

  get(workerId: string): WorkerEntry | undefined {
    return this.workers.get(workerId);
  }

  /** Stores a worker's self-description as given (replacing it); false if no live worker has that id. */
  setMetadata(workerId: string, metadata: Record<string, unknown>): boolean {
    const entry = this.workers.get(workerId);
    if (!entry) return false;
    entry.metadata = metadata;
    return true;
  }

  /** Records that `peer` registered function `id` (counted by `engine::workers::list`). */
  noteRegistered(peer: WorkerPeer, id: string): void {
    const entry = this.workers.get(peer.workerId);
    if (entry?.peer === peer) entry.registered.add(id);
  }

  /** The `name` a connection gave itself through `engine::workers::register`, if any. */
  nameOf(peer: WorkerPeer): string | undefined {
    const name = this.workers.get(peer.workerId)?.metadata?.name;
    return typeof name === 'string' ? name : undefined;
  }

  list(): WorkerEntry[] {
    return [...this.workers.values()];
  }

  get size(): number {
    return this.workers.size;
  }
}
