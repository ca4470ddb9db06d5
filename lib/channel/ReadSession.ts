import { ChannelClosedError } from '../errors/ChannelClosedError';
import { ChannelOverflowError } from '../errors/ChannelOverflowError';
import type { SocketFactory, SocketLike } from '../socket/SocketLike';
import { ChannelItem, channelItemBytes } from './ChannelItem';
import { StreamReadOptions, StreamRecordReader } from './streamRecords';
import { Watermarks } from './Watermarks';

/** Flow-control settings of one read of a channel. */
export interface ReadFlowOptions {
  /**
   * Pause the socket once more than this many bytes are in flight (received and not yet finished by the
   * consumer). Default 1 MiB. A single larger frame pauses the socket until it is finished.
   */
  highWaterMarkBytes?: number;
  /** Resume once at most this many bytes are in flight (default: half the byte high mark). */
  lowWaterMarkBytes?: number;
  /** Second bound, in frames: pause once more than this many items are in flight. Default 64. */
  highWaterMark?: number;
  /** Resume once at most this many items are in flight (default: half the high mark). */
  lowWaterMark?: number;
  /**
   * Only for sockets that cannot pause (`canPause` false, e.g. browsers): the most items held before the
   * overflow policy applies. Default: 4 × the high mark.
   */
  maxBuffered?: number;
  /** Only for sockets that cannot pause: the most bytes held before the overflow policy applies. Default: 4 × the byte high mark. */
  maxBufferedBytes?: number;
  /**
   * What happens when a socket that cannot pause delivers more than `maxBuffered` items or
   * `maxBufferedBytes` bytes: `'error'` (the only policy, and the default) errors the read with
   * `ChannelOverflowError` and drops the socket.
   */
  overflow?: 'error';
}

/** Default byte high mark of a channel read. */
export const DEFAULT_READ_HIGH_WATER_MARK_BYTES = 1024 * 1024;
/** Default frame high mark of a channel read. */
export const DEFAULT_READ_HIGH_WATER_MARK = 64;

/**
 * One opened read end (internal): owns the socket, queues what arrived, pauses the socket per high/low
 * marks of the bytes (and items) in flight, and reports the end of the stream only after the queue has drained.
 */
export class ReadSession {
  private readonly queue: ChannelItem[] = [];
  private head = 0;
  private activeCount = 0;
  private queuedByteCount = 0;
  private activeBytes = 0;
  private readonly gate: Watermarks;
  private readonly maxBuffered: number;
  private readonly maxBufferedBytes: number;
  private socket: SocketLike | undefined;
  private ended = false;
  private failure: Error | undefined;
  private closedByUs = false;
  /** Takes the stream records (`protocol/streamEnd`) off the items and decides how the stream ended. */
  private readonly records: StreamRecordReader;

  constructor(
    private readonly url: string,
    private readonly socketFactory: SocketFactory,
    options: ReadFlowOptions & StreamReadOptions,
    private readonly onChange: () => void,
  ) {
    this.records = new StreamRecordReader(options.requireEnd);
    const high = options.highWaterMark ?? DEFAULT_READ_HIGH_WATER_MARK;
    const highBytes = options.highWaterMarkBytes ?? DEFAULT_READ_HIGH_WATER_MARK_BYTES;
    this.gate = new Watermarks({
      highWaterMark: high,
      lowWaterMark: options.lowWaterMark,
      highWaterMarkBytes: highBytes,
      lowWaterMarkBytes: options.lowWaterMarkBytes,
    });
    this.maxBuffered = options.maxBuffered ?? high * 4;
    this.maxBufferedBytes = options.maxBufferedBytes ?? highBytes * 4;
  }

  /** Opens the socket. */
  start(): void {
    let error: Error | undefined;
    const socket = this.socketFactory(this.url);
    this.socket = socket;
    socket.setHandlers({
      message: (data) => {
        if (this.closedByUs || this.ended) return;
        if (!this.records.accept(data)) {
          const failure = this.records.failure;
          if (failure) this.endEarly(failure);
          return;
        }
        this.queue.push(data);
        this.queuedByteCount += channelItemBytes(data);
        this.updateFlow();
        this.onChange();
      },
      error: (err) => {
        error ??= err;
      },
      close: (code, reason) => {
        if (this.closedByUs || this.ended) return;
        this.ended = true;
        let failure = error;
        if (!failure && code !== 1000 && code !== 1005) {
          failure = new ChannelClosedError(
            `channel read socket dropped (close ${code}${reason ? ` ${reason}` : ''}) before the writer finished`,
          );
        }
        this.failure = this.records.settle(failure);
        this.onChange();
      },
    });
  }

  /** Items received but not yet taken. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Bytes received and not yet finished (queued + taken and not released). */
  get inFlightBytes(): number {
    return this.queuedByteCount + this.activeBytes;
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

  /** Takes the next item (counted as in flight until `release(item)`), or `undefined` when none is queued. */
  take(): ChannelItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head];
    const size = channelItemBytes(item);
    this.queuedByteCount -= size;
    this.activeBytes += size;
    this.queue[this.head++] = undefined as unknown as ChannelItem;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.activeCount++;
    return item;
  }

  /** Marks one taken item as finished. */
  release(item: ChannelItem): void {
    this.activeCount--;
    this.activeBytes -= channelItemBytes(item);
    this.updateFlow();
  }

  /** Drops the socket (idempotent); nothing is reported afterwards. */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.queue.length = 0;
    this.head = 0;
    this.queuedByteCount = 0;
    this.socket?.terminate();
  }

  /** An error record arrived: the stream fails once the items before it were taken; the socket is not needed any more. */
  private endEarly(failure: Error): void {
    this.ended = true;
    this.failure = failure;
    this.socket?.terminate();
    this.onChange();
  }

  private updateFlow(): void {
    const socket = this.socket;
    if (!socket || this.ended || this.closedByUs) return;
    const inFlight = this.queued + this.activeCount;
    const inFlightBytes = this.inFlightBytes;
    if (!socket.canPause) {
      if (inFlight > this.maxBuffered || (inFlight > 1 && inFlightBytes > this.maxBufferedBytes)) {
        this.failure = new ChannelOverflowError(
          `channel reader holds ${inFlight} items of ${inFlightBytes} bytes (max ${this.maxBuffered} items, ${this.maxBufferedBytes} bytes) and its socket cannot pause`,
        );
        this.ended = true;
        this.queue.length = 0;
        this.head = 0;
        this.queuedByteCount = 0;
        this.closedByUs = true;
        socket.terminate();
      }
      return;
    }
    const signal = this.gate.update(inFlight, inFlightBytes);
    if (signal === 'pause') socket.pause();
    else if (signal === 'resume') socket.resume();
  }
}

