import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { WorkerPeer } from './WorkerPeer';

/** Limits of one connection's outbound path. */
export interface WorkerConnectionLimits {
  /** Frames the engine queues itself once the socket's own buffer is above `socketHighWaterBytes`. */
  queueFrames: number;
  /** Bytes the socket may hold unsent before the engine stops handing it frames. */
  socketHighWaterBytes: number;
}

/**
 * One worker socket on `/`: fresh ids, and a bounded FIFO outbound path. Frames go straight to the socket
 * while its unsent bytes stay under a high mark; beyond it they wait in a queue of at most
 * `queueFrames` frames, flushed as the socket's write callbacks report progress. A full queue makes
 * {@link WorkerConnection.send} return false — nothing is buffered without bound.
 *
 * @example
 * ```ts
 * const conn = new WorkerConnection(ws, { queueFrames: 64, socketHighWaterBytes: 1 << 20 });
 * conn.send({ type: 'workerregistered', worker_id: conn.workerId, reattach_token: conn.reattachToken });
 * ```
 */
export class WorkerConnection implements WorkerPeer {
  readonly workerId = randomUUID();
  readonly reattachToken = randomUUID();
  readonly connectedAt = Date.now();
  readonly remoteAddress?: string;
  private readonly queue: string[] = [];
  private terminated = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: WorkerConnectionLimits,
    remoteAddress?: string,
  ) {
    this.remoteAddress = remoteAddress;
  }

  get isOpen(): boolean {
    return !this.terminated && this.ws.readyState === this.ws.OPEN;
  }

  /** Frames waiting in the engine's own queue (not yet handed to the socket). */
  get queuedFrames(): number {
    return this.queue.length;
  }

  send(frame: object): boolean {
    if (!this.isOpen) return false;
    const text = JSON.stringify(frame);
    if (this.queue.length === 0 && this.ws.bufferedAmount < this.limits.socketHighWaterBytes) {
      this.write(text);
      return true;
    }
    if (this.queue.length >= this.limits.queueFrames) return false;
    this.queue.push(text);
    return true;
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.queue.length = 0;
    this.ws.terminate();
  }

  private write(text: string): void {
    this.ws.send(text, (err) => {
      if (!err) this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.isOpen && this.ws.bufferedAmount < this.limits.socketHighWaterBytes) {
      this.write(this.queue.shift() as string);
    }
  }
}
