import { ChannelClosedError } from '../errors/ChannelClosedError';
import { ChannelOverflowError } from '../errors/ChannelOverflowError';
import type { SocketFactory, SocketLike } from '../socket/SocketLike';
import type { ChannelItem } from './ChannelItem';
import { Watermarks } from './Watermarks';

/** Flow-control settings of one read of a channel. */
export interface ReadFlowOptions {
  /** Pause the socket once more than this many items are in flight (queued + being processed). Default 16. */
  highWaterMark?: number;
  /** Resume once at most this many are in flight (default: half the high mark). */
  lowWaterMark?: number;
  /**
   * Only for sockets that cannot pause (`canPause` false, e.g. browsers): the most items held before the
   * overflow policy applies. Default: 4 × the high mark.
   */
  maxBuffered?: number;
  /**
   * What happens when a socket that cannot pause delivers more than `maxBuffered` items: `'error'` (the
   * only policy, and the default) errors the read with `ChannelOverflowError` and drops the socket.
   */
  overflow?: 'error';
}

/**
 * One opened read end (internal): owns the socket, queues what arrived, pauses the socket per high/low
 * marks of the items in flight, and reports the end of the stream only after the queue has drained.
 */
export class ReadSession {
  private readonly queue: ChannelItem[] = [];
  private head = 0;
  private activeCount = 0;
  private readonly gate: Watermarks;
  private readonly maxBuffered: number;
  private socket: SocketLike | undefined;
  private ended = false;
  private failure: Error | undefined;
  private closedByUs = false;

  constructor(
    private readonly url: string,
    private readonly socketFactory: SocketFactory,
    options: ReadFlowOptions,
    private readonly onChange: () => void,
  ) {
    const high = options.highWaterMark ?? 16;
    this.gate = new Watermarks({ highWaterMark: high, lowWaterMark: options.lowWaterMark });
    this.maxBuffered = options.maxBuffered ?? high * 4;
  }

  /** Opens the socket. */
  start(): void {
    let error: Error | undefined;
    const socket = this.socketFactory(this.url);
    this.socket = socket;
    socket.setHandlers({
      message: (data) => {
        if (this.closedByUs || this.ended) return;
        this.queue.push(data);
        this.updateFlow();
        this.onChange();
      },
      error: (err) => {
        error ??= err;
      },
      close: (code, reason) => {
        if (this.closedByUs || this.ended) return;
        this.ended = true;
        if (error) this.failure = error;
        else if (code !== 1000 && code !== 1005) {
          this.failure = new ChannelClosedError(
            `channel read socket dropped (close ${code}${reason ? ` ${reason}` : ''}) before the writer finished`,
          );
        }
        this.onChange();
      },
    });
  }

  /** Items received but not yet taken. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Items taken and not yet released. */
  get active(): number {
    return this.activeCount;
  }

  /** The stream ended (writer finished or socket failed) and every received item was taken and released. */
  get done(): boolean {
    return this.ended && this.queued === 0 && this.activeCount === 0;
  }

  /** The stream ended and nothing is left to take (items may still be in processing). */
  get drained(): boolean {
    return this.ended && this.queued === 0;
  }

  /** Why the stream failed, once it has. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Takes the next item (counted as in flight until `release()`), or `undefined` when none is queued. */
  take(): ChannelItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head];
    this.queue[this.head++] = undefined as unknown as ChannelItem;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.activeCount++;
    return item;
  }

  /** Marks one taken item as finished. */
  release(): void {
    this.activeCount--;
    this.updateFlow();
  }

  /** Drops the socket (idempotent); nothing is reported afterwards. */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.queue.length = 0;
    this.head = 0;
    this.socket?.terminate();
  }

  private updateFlow(): void {
    const socket = this.socket;
    if (!socket || this.ended) return;
    const inFlight = this.queued + this.activeCount;
    if (!socket.canPause) {
      if (inFlight > this.maxBuffered) {
        this.failure = new ChannelOverflowError(
          `channel reader holds ${inFlight} items (max ${this.maxBuffered}) and its socket cannot pause`,
        );
        this.ended = true;
        this.queue.length = 0;
        this.head = 0;
        this.closedByUs = true;
        socket.terminate();
      }
      return;
    }
    const signal = this.gate.update(inFlight);
    if (signal === 'pause') socket.pause();
    else if (signal === 'resume') socket.resume();
  }
}

