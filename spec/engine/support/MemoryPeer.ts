import { randomUUID } from 'node:crypto';
import type { WorkerPeer } from '../../../lib/engine/WorkerPeer';

/** An in-memory worker connection for unit tests of the engine's tables: records what it is sent. */
export class MemoryPeer implements WorkerPeer {
  readonly workerId = randomUUID();
  readonly reattachToken = randomUUID();
  readonly connectedAt = Date.now();
  readonly sent: Array<Record<string, any>> = [];
  isOpen = true;
  /** Frames it accepts before reporting a full queue. */
  capacity = Infinity;
  terminated = false;

  send(frame: object): boolean {
    if (!this.isOpen || this.sent.length >= this.capacity) return false;
    this.sent.push(JSON.parse(JSON.stringify(frame)));
    return true;
  }

  terminate(): void {
    this.terminated = true;
    this.isOpen = false;
  }

  /** Frames of one type. */
  ofType(type: string): Array<Record<string, any>> {
    return this.sent.filter((f) => f.type === type);
  }
}
