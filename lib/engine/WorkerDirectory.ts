import type { WorkerPeer } from './WorkerPeer';

/** A live worker connection plus what it told the engine about itself. */
export interface WorkerEntry {
  peer: WorkerPeer;
  /** The payload of its last `engine::workers::register` call (minus `_caller_worker_id`). */
  metadata?: Record<string, unknown>;
}

/**
 * The live worker connections, keyed by their per-connection `worker_id`.
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
    this.workers.set(peer.workerId, { peer });
  }

  /** Removes the entry if it is still this peer's. */
  remove(peer: WorkerPeer): void {
    if (this.workers.get(peer.workerId)?.peer === peer) this.workers.delete(peer.workerId);
  }

  get(workerId: string): WorkerEntry | undefined {
    return this.workers.get(workerId);
  }

  /** Stores a worker's self-description; false if no live worker has that id. */
  setMetadata(workerId: string, metadata: Record<string, unknown>): boolean {
    const entry = this.workers.get(workerId);
    if (!entry) return false;
    entry.metadata = metadata;
    return true;
  }

  list(): WorkerEntry[] {
    return [...this.workers.values()];
  }

  get size(): number {
    return this.workers.size;
  }
}
