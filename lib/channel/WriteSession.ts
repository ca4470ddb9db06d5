import { ChannelClosedError } from '../errors/ChannelClosedError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import { SocketError } from '../errors/SocketError';
import { PROTOCOL } from '../protocol/constants';
import type { SocketFactory, SocketLike } from '../socket/SocketLike';
import { ChannelItem, channelItemBytes } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';
import type { StreamRecordWriter } from './streamRecords';

/** Flow-control settings of one write to a channel. */
export interface WriteFlowOptions {
  /** Wait while the socket holds more than this many unsent bytes (`bufferedAmount`). Default 1 MiB. */
  highWaterMarkBytes?: number;
  /** Send again once the socket holds at most this many unsent bytes. Default: half the high mark. */
  lowWaterMarkBytes?: number;
  /** Second bound, in frames: wait while this many sends await their callback. Default 1024. */
  highWaterMark?: number;
  /**
   * Push sources only (an Observable that cannot pause, or `writer.next()`): the most bytes waiting in the
   * writer's own queue before the overflow policy applies. Default 16 MiB.
   */
  maxQueuedBytes?: number;
  /** Push sources only: the most items waiting in the writer's own queue (second bound). Default 16384. */
  maxQueuedItems?: number;
  /**
   * What happens past `maxQueuedBytes` / `maxQueuedItems`: `'error'` (the only policy, and the default)
   * fails the write with `ChannelOverflowError` (an error notification, never a throw).
   */
  overflow?: 'error';
}

/** What a write session reports to its owner. */
export interface WriteSessionEvents {
  progress(progress: ChannelProgress): void;
  /** The queue is empty and the socket below its mark: a pull source may supply the next item. */
  writable(): void;
  /** The last frame was handed to the network and the socket closed normally. */
  done(): void;
  fail(err: Error): void;
}

/**
 * One opened write end (internal): sends frames one after another (binary cut into 64 KiB frames), waits
 * while the socket's `bufferedAmount` is above the mark, and on `end()` closes with 1000 `stream_complete`
 * once every frame was handed to the network, reporting `done` on the close event.
 */
export class WriteSession {
  private socket: SocketLike | undefined;
  private readonly pending: ChannelItem[] = [];
  private head = 0;
  private offset = 0;
  private queued = 0;
  private outstanding = 0;
  private bytes = 0;
  private frames = 0;
  private isOpen = false;
  private everOpen = false;
  private ending = false;
  private closing = false;
  private finished = false;
  private flushing = false;
  private waitingDrain = false;
  private socketError: Error | undefined;
  private readonly high: number;
  private readonly low: number;
  private readonly maxOutstanding: number;
  readonly maxQueuedBytes: number;
  readonly maxQueuedItems: number;

  constructor(
    private readonly url: string,
    private readonly socketFactory: SocketFactory,
    options: WriteFlowOptions,
    private readonly events: WriteSessionEvents,
    /** The stream records (`protocol/streamEnd`) framing what this session sends, if any. */
    private readonly records?: StreamRecordWriter,
  ) {
    this.high = options.highWaterMarkBytes ?? 1024 * 1024;
    this.low = Math.min(options.lowWaterMarkBytes ?? Math.floor(this.high / 2), this.high);
    this.maxOutstanding = Math.max(1, options.highWaterMark ?? 1024);
    this.maxQueuedBytes = options.maxQueuedBytes ?? 16 * 1024 * 1024;
    this.maxQueuedItems = options.maxQueuedItems ?? 16384;
  }

  /** Opens the socket. */
  start(): void {
    const socket = this.socketFactory(this.url);
    this.socket = socket;
    socket.setHandlers({
      open: () => {
        if (this.finished) {
          // aborted while connecting: take the half and drop it, so the reader sees the stream end
          socket.terminate();
          return;
        }
        this.isOpen = true;
        this.everOpen = true;
        // the begin record goes first, outside the queue (so it counts against no bound)
        const begin = this.records?.first();
        if (begin !== undefined) {
          this.outstanding++;
          socket.send(begin, this.onSent);
        }
        this.flush();
      },
      error: (err) => {
        this.socketError ??= err;
      },
      close: (code, reason) => this.onClose(code, reason),
    });
  }

  /** Bytes queued here and not yet handed to the socket. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Items queued here and not yet fully handed to the socket. */
  get queuedItems(): number {
    return this.pending.length - this.head;
  }

  /**
   * Whether one more item of `size` bytes would take the queue past its bounds. An item alone in the queue
   * is always accepted (it is already in memory; it goes out in 64 KiB frames).
   */
  wouldOverflow(size: number): boolean {
    const items = this.queuedItems;
    return (items > 0 && this.queued + size > this.maxQueuedBytes) || items + 1 > this.maxQueuedItems;
  }

  /** Whether the session has finished (done or failed). */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Whether a pull source should supply another item now. */
  get wantsMore(): boolean {
    return (
      !this.finished && !this.ending && !this.socketError && this.head === this.pending.length && !this.waitingDrain
    );
  }

  /** Queues one item (in order) and sends what the socket can take. */
  enqueue(item: ChannelItem): void {
    if (this.finished || this.ending) return;
    if (typeof item === 'string' && item.length > PROTOCOL.maxFrameBytes / 3) {
      const n = channelItemBytes(item);
      if (n > PROTOCOL.maxFrameBytes) {
        this.fail(new PayloadTooLargeError(`text frame of ${n} bytes exceeds the engine limit of ${PROTOCOL.maxFrameBytes}`));
        return;
      }
    }
    this.records?.observe(item);
    this.pending.push(item);
    this.queued += channelItemBytes(item);
    this.flush();
  }

  /** No more items: close normally once everything queued (and the end record) was handed to the network. */
  end(): void {
    if (this.finished || this.ending) return;
    const last = this.records?.last();
    if (last !== undefined) this.queueRecord(last);
    this.ending = true;
    this.flush();
    this.maybeClose();
  }

  /**
   * The source failed: send what is queued, then the error record of `err`, and close normally (`done` is
   * reported). Returns false (and does nothing) when this session sends no records or cannot any more: the
   * caller then aborts.
   */
  endWithError(err: Error): boolean {
    if (this.finished || this.ending || this.socketError) return false;
    const last = this.records?.last(err);
    if (last === undefined) return false;
    this.queueRecord(last);
    this.ending = true;
    this.flush();
    this.maybeClose();
    return true;
  }

  private queueRecord(record: string): void {
    this.pending.push(record);
    this.queued += channelItemBytes(record);
  }

  /**
   * Drops the socket (idempotent); nothing is reported afterwards. A socket still connecting is dropped
   * as soon as it opens, so the engine releases the write half and the reader sees the stream end instead
   * of waiting for a writer that never comes.
   */
  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.pending.length = 0;
    if (this.socket && this.socket.readyState !== 0) this.socket.terminate();
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || !this.isOpen || this.flushing || this.finished || this.socketError) return;
    this.flushing = true;
    try {
      while (this.head < this.pending.length && !this.finished && !this.socketError) {
        if ((socket.bufferedAmount > this.high || this.outstanding >= this.maxOutstanding) && this.outstanding > 0) {
          this.waitingDrain = true;
          return;
        }
        const item = this.pending[this.head];
        let frame: ChannelItem;
        let size: number;
        if (typeof item === 'string') {
          frame = item;
          size = channelItemBytes(item);
          this.advance();
        } else {
          const end = Math.min(this.offset + PROTOCOL.channelChunkBytes, item.byteLength);
          frame = this.offset === 0 && end === item.byteLength ? item : item.subarray(this.offset, end);
          size = end - this.offset;
          this.offset = end;
          if (end >= item.byteLength) this.advance();
        }
        this.queued -= size;
        this.outstanding++;
        socket.send(frame, this.onSent);
        if (this.records?.isOwn(frame)) continue;
        this.bytes += size;
        this.frames++;
        this.events.progress({ bytes: this.bytes, frames: this.frames });
      }
    } finally {
      this.flushing = false;
    }
    if (this.finished || this.socketError) return;
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
      this.maybeClose();
      if (!this.ending) this.events.writable();
    }
  }

  private advance(): void {
    this.pending[this.head] = undefined as unknown as ChannelItem;
    this.head++;
    this.offset = 0;
  }

  private readonly onSent = (err?: Error): void => {
    this.outstanding--;
    if (this.finished) return;
    if (err) {
      // The socket is going away; its close event decides how the write ends.
      this.socketError ??= err;
      return;
    }
    if (this.waitingDrain) {
      const below = this.socket!.bufferedAmount <= this.low && this.outstanding <= this.maxOutstanding / 2;
      if (below || this.outstanding === 0) {
        this.waitingDrain = false;
        this.flush();
      }
      return;
    }
    this.maybeClose();
  };

  private maybeClose(): void {
    if (!this.ending || this.closing || this.finished || !this.isOpen) return;
    if (this.head !== this.pending.length || this.outstanding > 0) return;
    this.closing = true;
    this.socket!.close(1000, 'stream_complete');
  }

  private onClose(code: number, reason: string): void {
    if (this.finished) return;
    this.isOpen = false;
    if (this.closing && !this.socketError && code === 1000) {
      this.finished = true;
      this.events.done();
      return;
    }
    const err = this.socketError;
    if (err && (!this.everOpen || !(err instanceof SocketError))) {
      this.fail(err);
      return;
    }
    this.fail(
      new ChannelClosedError(
        code === 1006
          ? 'the engine dropped the channel write socket: the reader is gone (data may have been lost)'
          : `the engine closed the channel write socket (close ${code}${reason ? ` ${reason}` : ''}): the write end was already taken or the channel is gone`,
        err ? { cause: err } : undefined,
      ),
    );
  }

  private fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.pending.length = 0;
    this.socket?.terminate();
    this.events.fail(err);
  }
}
