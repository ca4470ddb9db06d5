import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { EngineLog } from './EngineLogger';
import { Corkable, DEFAULT_MAX_HELD_BYTES, TickBatcher } from '../socket/TickBatcher';
import { stringifyFrame } from './exactJson';
import { StallWatch } from './StallWatch';
import type { WorkerPeer } from './WorkerPeer';

/** Close code and reason sent to a connection closed because it stopped reading. */
export const STALLED_CLOSE = { code: 1008, reason: 'outbound stalled' } as const;
/** Close code and reason sent to a connection whose outbound bytes went over their cap. */
export const OVERFLOW_CLOSE = { code: 1008, reason: 'outbound overflow' } as const;
/** How long a stalled connection gets to take its close frame before TCP is dropped. */
const CLOSE_GRACE_MS = 1000;

/** Limits of one connection's outbound path. */
export interface WorkerConnectionLimits {
  /** Frames the engine queues itself once the socket's own buffer is above `socketHighWaterBytes`. */
  queueFrames: number;
  /** Bytes the socket may hold unsent before the engine stops handing it frames. */
  socketHighWaterBytes: number;
  /**
   * Bytes waiting towards this connection (the engine's queue plus the socket's unsent bytes) beyond which
   * {@link WorkerConnection.send} refuses a frame. A connection with nothing waiting always takes one
   * frame, so a single large reply is never refused. Default: no byte cap (only `queueFrames`).
   */
  maxOutboundBytes?: number;
  /**
   * A connection whose waiting bytes stay above `socketHighWaterBytes` this long without one write
   * completing is closed with 1008 `outbound stalled`. Default: never.
   */
  stallTimeoutMs?: number;
}

/**
 * One worker socket on `/`: fresh ids, and an outbound path bounded in frames and bytes. Frames go
 * straight to the socket while its unsent bytes stay under a high mark; beyond it they wait in a queue
 * of at most `queueFrames` frames and `maxOutboundBytes` bytes (socket buffer included), flushed as the
 * socket's write callbacks report progress. A full queue makes {@link WorkerConnection.send} return false
 * — nothing is buffered without bound — and a peer that stops reading is closed after `stallTimeoutMs`.
 *
 * @example
 * ```ts
 * const conn = new WorkerConnection(ws, { queueFrames: 64, socketHighWaterBytes: 1 << 20, maxOutboundBytes: 32 << 20, stallTimeoutMs: 30_000 });
 * conn.send({ type: 'workerregistered', worker_id: conn.workerId, reattach_token: conn.reattachToken });
 * ```
 */
export class WorkerConnection implements WorkerPeer {
  readonly workerId = randomUUID();
  readonly reattachToken = randomUUID();
  readonly connectedAt = Date.now();
  readonly remoteAddress?: string;
  private readonly queue: Array<{ text: string; size: number }> = [];
  private queueBytes = 0;
  private terminated = false;
  private readonly stall: StallWatch;
  private readonly batch?: TickBatcher;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: WorkerConnectionLimits,
    remoteAddress?: string,
    private readonly log?: EngineLog,
    /** The TCP socket under `ws`: when given, the frames sent in one tick leave in one system call. */
    rawSocket?: Corkable,
  ) {
    this.remoteAddress = remoteAddress;
    // never hold back as much as the high mark, so held bytes never count as a peer that is not reading
    if (rawSocket) this.batch = new TickBatcher(rawSocket, Math.min(DEFAULT_MAX_HELD_BYTES, Math.floor(limits.socketHighWaterBytes / 2)));
    this.stall = new StallWatch(limits.stallTimeoutMs ?? Infinity, () => this.closeStalled());
    ws.once('close', () => this.stall.stop());
  }

  get isOpen(): boolean {
    return !this.terminated && this.ws.readyState === this.ws.OPEN;
  }

  /** Frames waiting in the engine's own queue (not yet handed to the socket). */
  get queuedFrames(): number {
    return this.queue.length;
  }

  /** Bytes waiting towards the peer: the engine's queue plus the socket's unsent bytes. */
  get outboundBytes(): number {
    return this.queueBytes + this.ws.bufferedAmount;
  }

  send(frame: object): boolean {
    if (!this.isOpen) return false;
    const text = stringifyFrame(frame);
    // bytes held for this tick's batch are not a sign of a slow peer: write them before judging
    if (this.queue.length === 0 && this.ws.bufferedAmount >= this.limits.socketHighWaterBytes) this.batch?.flush();
    if (this.queue.length === 0 && this.ws.bufferedAmount < this.limits.socketHighWaterBytes) {
      this.write(text);
      this.stall.update(this.aboveMark);
      return true;
    }
    const size = Buffer.byteLength(text);
    const waiting = this.outboundBytes;
    const maxBytes = this.limits.maxOutboundBytes ?? Infinity;
    if (this.queue.length >= this.limits.queueFrames || (waiting > 0 && waiting + size > maxBytes)) {
      this.log?.warn('outbound queue of a worker connection is full: frame refused', {
        worker_id: this.workerId,
        frame_bytes: size,
        outbound_bytes: waiting,
        max_outbound_bytes: this.limits.maxOutboundBytes,
        queued_frames: this.queue.length,
      });
      return false;
    }
    this.queue.push({ text, size });
    this.queueBytes += size;
    this.stall.update(this.aboveMark);
    return true;
  }

  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.stall.stop();
    this.queue.length = 0;
    this.queueBytes = 0;
    this.batch?.flush();
    this.ws.terminate();
  }

  /**
   * Closes the connection with a status (1008 and a reason) and drops TCP shortly after, since a peer
   * that does not read may never take the close frame. Its queued frames are discarded.
   */
  closeWith(close: { code: number; reason: string }): void {
    if (this.terminated) return;
    this.terminated = true;
    this.stall.stop();
    this.queue.length = 0;
    this.queueBytes = 0;
    this.batch?.flush();
    // the prototype's close: the engine makes `ws.close` drop TCP for peer-initiated closes (upstream never
    // echoes them), but this close is the engine's own and carries its reason
    (Object.getPrototypeOf(this.ws) as WebSocket).close.call(this.ws, close.code, close.reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  private get aboveMark(): boolean {
    return this.outboundBytes > this.limits.socketHighWaterBytes;
  }

  private closeStalled(): void {
    this.log?.warn(`closing a worker connection that stopped reading: ${STALLED_CLOSE.code} ${STALLED_CLOSE.reason}`, {
      worker_id: this.workerId,
      outbound_bytes: this.outboundBytes,
      stall_timeout_ms: this.limits.stallTimeoutMs,
    });
    this.closeWith(STALLED_CLOSE);
  }

  private write(text: string): void {
    this.batch?.hold();
    this.ws.send(text, (err) => {
      if (err) return;
      this.flush();
      this.stall.progress(this.aboveMark);
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.isOpen && this.ws.bufferedAmount < this.limits.socketHighWaterBytes) {
      const { text, size } = this.queue.shift() as { text: string; size: number };
      this.queueBytes -= size;
      this.write(text);
    }
  }
}
