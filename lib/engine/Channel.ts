import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { ByteBudget, ByteBudgetMember } from './ByteBudget';
import type { FramePool } from './FramePool';
import type { FrameRelay, WriterFrameSink } from './readWriterFrames';
import type { EngineLog } from './EngineLogger';
import { StallWatch } from './StallWatch';
import { warnParity } from './warnParity';

/** One queued channel message; text and binary keep their frame type end to end. */
interface ChannelItem {
  data: Buffer;
  binary: boolean;
}

/** State of the writer half: never taken, held by a socket, or done (closed, dropped or discarded). */
export type WriterHalfState = 'untaken' | 'open' | 'finished';
/** State of the reader half: never taken, held by a socket, ended by the engine, or lost. */
export type ReaderHalfState = 'untaken' | 'open' | 'closed' | 'gone';

/** Tuning of the reader side (how much may sit in the reader socket's own buffer). */
export interface ChannelReaderLimits {
  /** Sends to the reader that may await their write callback at once. */
  maxInFlight: number;
  /** No new send while the reader socket holds this many unsent bytes. */
  highWaterBytes: number;
  /**
   * The writer is also paused while the queue holds this many bytes (at least one message is always
   * accepted), so `buffer_size` large messages cannot pile up without bound. Default: no byte cap.
   */
  maxQueuedBytes?: number;
  /**
   * A writer socket that ended without a normal close (1000 or no status) ends the reader with 1011
   * `writer_lost` instead of a status-less close. Default false (upstream behaviour).
   */
  reportWriterLoss?: boolean;
  /**
   * A reader socket whose unsent bytes stay at or above `highWaterBytes` this long without one send
   * completing is closed with 1008 `outbound stalled` (then dropped 1 s later). Default: never.
   */
  stallTimeoutMs?: number;
  /**
   * Where the writer's large payloads were assembled (see `readWriterFrames`): each one is given back once
   * the reader socket's send callback fired or the message was discarded. Default: none.
   */
  framePool?: FramePool;
}

/** Close codes of a writer that finished its stream on purpose (anything else means data may be missing). */
const NORMAL_WRITER_CLOSE = new Set([1000, 1005]);

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** The TCP socket a `ws` WebSocket runs on (for writing a relayed frame's bytes in order with its own frames). */
function rawSocketOf(ws: WebSocket): (Duplex & { destroyed: boolean }) | undefined {
  return (ws as unknown as { _socket?: Duplex & { destroyed: boolean } })._socket;
}

/** The header of an unmasked (server → client) final binary frame of `length` bytes. */
function binaryFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x82, length]);
  if (length < 65536) {
    const h = Buffer.alloc(4);
    h[0] = 0x82;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = 0x82;
  h[1] = 127;
  h.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  h.writeUInt32BE(length >>> 0, 6);
  return h;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}

/**
 * One engine-brokered channel (PROTOCOL.md §6): a bounded FIFO of `capacity` messages between a one-shot
 * writer half and a one-shot reader half. While the queue is full the writer socket is paused (real TCP
 * back-pressure); the reader gets the next item only after its previous send was handed to the socket
 * and while that socket's buffer is small, so the engine holds at most about `capacity` messages. The
 * reader receives every message sent before the writer's close, then a Close frame without status.
 *
 * @example
 * ```ts
 * const channel = new Channel(64, log, { maxInFlight: 8, highWaterBytes: 256 * 1024 });
 * channel.keyMatches(channel.accessKey); // true
 * channel.attachWriter(writerSocket); // true once; false afterwards
 * ```
 */
export class Channel implements ByteBudgetMember, WriterFrameSink {
  readonly id = randomUUID();
  readonly accessKey = randomUUID();
  readonly createdAt = Date.now();
  /** `Date.now()` when both halves were taken and no socket is left, else undefined. */
  settledAt?: number;
  private readonly keyDigest = digest(this.accessKey);
  private queue: ChannelItem[] = [];
  private bytes = 0;
  private writerState: WriterHalfState = 'untaken';
  private readerState: ReaderHalfState = 'untaken';
  private writer?: WebSocket;
  private reader?: WebSocket;
  private writerPaused = false;
  /** The writer socket ended without a normal close: the stream may be truncated. */
  private writerLost = false;
  private inFlight = 0;
  /** A large frame is being relayed straight from the writer's socket to the reader's. */
  private relaying = false;
  /** Messages accepted from the writer, and delivered to the reader's socket. */
  private received = 0;
  private delivered = 0;
  private readonly readerStall: StallWatch;

  constructor(
    readonly capacity: number,
    private readonly log: EngineLog,
    private readonly readerLimits: ChannelReaderLimits,
    /** Worker id of the owner; channels of `engine::channels::create` have none. */
    readonly owner?: string,
    /** Byte budgets the queue is charged to (its creator's, the engine's): the writer pauses while one is exhausted. */
    private readonly budgets: readonly ByteBudget[] = [],
  ) {
    this.readerStall = new StallWatch(readerLimits.stallTimeoutMs ?? Infinity, () => this.closeStalledReader());
  }

  /** A budget this channel is charged to became exhausted or has room again: pause or resume the writer. */
  budgetChanged(): void {
    this.updateWriter();
  }

  /** Constant-time comparison of a presented key with this channel's key. */
  keyMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.keyDigest);
  }

  get writerHalf(): WriterHalfState {
    return this.writerState;
  }

  get readerHalf(): ReaderHalfState {
    return this.readerState;
  }

  /** Messages waiting in the engine for the reader. */
  get queued(): number {
    return this.queue.length;
  }

  /** Bytes waiting in the engine for the reader. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** True when a half was never taken (the TTL sweep only removes such channels). */
  get halfUntaken(): boolean {
    return this.writerState === 'untaken' || this.readerState === 'untaken';
  }

  /** True when no socket is attached any more and both halves were used up. */
  get settled(): boolean {
    return !this.halfUntaken && this.writer === undefined && this.reader === undefined;
  }

  /**
   * Gives the writer half to `ws`. False if the half was already taken (the caller then closes the
   * socket without status, as upstream does).
   */
  attachWriter(ws: WebSocket): boolean {
    if (this.writerState !== 'untaken') return false;
    this.writerState = 'open';
    this.writer = ws;
    for (const b of this.budgets) b.join(this);
    if (this.full) {
      this.writerPaused = true;
      ws.pause();
    }
    ws.on('message', (data, isBinary) => this.onWriterMessage(ws, data, isBinary));
    ws.on('close', (code) => this.onWriterClosed(ws, code));
    ws.on('error', (err) => this.log.debug('channel writer socket error', { channel_id: this.id, error: err.message }));
    if (this.readerState === 'gone') this.dropWriter('reader already gone');
    return true;
  }

  /** Gives the reader half to `ws`; false if it was already taken. */
  attachReader(ws: WebSocket): boolean {
    if (this.readerState !== 'untaken') return false;
    this.readerState = 'open';
    this.reader = ws;
    ws.on('close', () => this.onReaderClosed(ws));
    ws.on('error', (err) => this.log.debug('channel reader socket error', { channel_id: this.id, error: err.message }));
    // a reader sends nothing meaningful; its messages are ignored
    this.pump();
    return true;
  }

  /**
   * Discards the halves nobody took (TTL sweep, owner cleanup): an untaken writer half finishes the
   * stream (a connected reader gets the rest and a normal end); an untaken reader half makes a connected
   * writer be dropped. Established sockets otherwise keep streaming.
   */
  discardUntakenHalves(): void {
    if (this.writerState === 'untaken') {
      this.writerState = 'finished';
      this.pump();
    }
    if (this.readerState === 'untaken') {
      this.readerState = 'gone';
      this.loseQueue('reader half discarded');
      if (this.writer) this.dropWriter('reader half discarded');
    }
    this.checkSettled();
  }

  /** Terminates every socket of the channel (engine shutdown). */
  terminate(): void {
    this.writer?.terminate();
    this.reader?.terminate();
  }

  /**
   * A large binary frame begins on the writer's socket: when nothing is queued and the reader is
   * connected, its payload goes straight on to the reader's socket as it arrives (the same frame on the
   * wire, never assembled in the engine; the writer pauses while the reader's socket holds the channel's
   * byte cap); otherwise undefined, and it arrives as a message.
   */
  relayFrame(length: number): FrameRelay | undefined {
    const reader = this.reader;
    const raw = reader && rawSocketOf(reader);
    if (!reader || !raw || raw.destroyed || this.readerState !== 'open' || this.relaying) return undefined;
    // with nothing queued, every earlier message is already in the reader socket's buffer: order holds
    if (this.queue.length > 0) return undefined;
    this.relaying = true;
    this.inFlight++;
    let written = 0;
    let flushed = 0;
    let ended = false;
    const highWater = this.readerLimits.highWaterBytes;
    const settle = () => {
      if (!ended || flushed < written) return;
      this.inFlight--;
      if (this.reader !== reader) return;
      this.delivered++;
      this.pump();
    };
    const onFlushed = (err?: Error | null) => {
      flushed++;
      if (err) {
        if (this.reader === reader) this.log.debug('channel send to reader failed', { channel_id: this.id, error: err.message });
        return;
      }
      if (this.reader === reader) this.readerStall.progress(reader.bufferedAmount >= highWater);
      this.updateWriter();
      settle();
    };
    written++;
    raw.write(binaryFrameHeader(length), onFlushed);
    return {
      piece: (bytes) => {
        if (this.reader !== reader || this.readerState !== 'open') {
          this.dropWriter('reader gone');
          return;
        }
        written++;
        raw.write(bytes, onFlushed);
        this.readerStall.update(reader.bufferedAmount >= highWater);
        this.updateWriter();
      },
      end: () => {
        this.relaying = false;
        ended = true;
        this.received++;
        settle();
      },
    };
  }

  private onWriterMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const bytes = toBuffer(data);
    if (ws !== this.writer) {
      this.readerLimits.framePool?.give(bytes);
      return;
    }
    if (this.readerState === 'gone' || this.readerState === 'closed') {
      this.readerLimits.framePool?.give(bytes);
      this.dropWriter('reader gone');
      return;
    }
    const item = { data: bytes, binary: isBinary };
    this.queue.push(item);
    this.charge(item.data.length);
    this.received++;
    this.pump();
    this.updateWriter();
  }

  private onWriterClosed(ws: WebSocket, code: number): void {
    if (ws !== this.writer) return;
    this.abortRelay('the writer ended inside a frame being relayed');
    if (!NORMAL_WRITER_CLOSE.has(code)) {
      this.writerLost = true;
      warnParity(this.log, 'channel writer ended without a normal close', {
        socket: 'channel writer',
        channel_id: this.id,
        field: 'close',
        problem: `ended abnormally (close code ${code})`,
        real: 'the reader gets the queued items, then a Close without status, as on a clean end: a silent truncation',
        reported_to_reader: this.readerLimits.reportWriterLoss ? '1011 writer_lost (channelReportWriterLoss)' : 'close without status',
      });
    }
    this.writer = undefined;
    this.writerPaused = false;
    this.writerState = 'finished';
    for (const b of this.budgets) b.leave(this);
    this.pump();
    this.checkSettled();
  }

  private onReaderClosed(ws: WebSocket): void {
    if (ws !== this.reader) return;
    this.reader = undefined;
    this.readerStall.stop();
    if (this.readerState === 'open') {
      this.readerState = 'gone';
      this.loseQueue('reader closed');
      // a paused writer is blocked on a push that can never succeed: drop it now, as upstream does
      if (this.writer && this.writerPaused) this.dropWriter('reader gone');
    }
    this.checkSettled();
  }

  /**
   * The writer went away in the middle of a relayed frame: the reader has part of a frame and no valid way
   * to end it, so its socket is dropped (it sees 1006, a truncated stream) instead of closed normally.
   */
  private abortRelay(reason: string): void {
    if (!this.relaying) return;
    this.relaying = false;
    const reader = this.reader;
    this.log.warn('channel reader dropped: ' + reason, { channel_id: this.id });
    reader?.terminate();
  }

  /** The writer is dropped without a close frame (the peer sees 1006). */
  private dropWriter(reason: string): void {
    const ws = this.writer;
    if (!ws) return;
    this.abortRelay(`writer dropped (${reason})`);
    this.log.debug('channel writer dropped', { channel_id: this.id, reason });
    this.writer = undefined;
    this.writerPaused = false;
    this.writerState = 'finished';
    for (const b of this.budgets) b.leave(this);
    ws.terminate();
    this.checkSettled();
  }

  private loseQueue(reason: string): void {
    if (this.queue.length > 0) {
      this.log.warn('channel messages lost', { channel_id: this.id, reason, messages: this.queue.length });
    }
    this.clearQueue();
    this.refund(this.bytes);
  }

  /** Empties the queue, giving pooled payloads back. */
  private clearQueue(): void {
    const pool = this.readerLimits.framePool;
    if (pool) for (const item of this.queue) pool.give(item.data);
    this.queue = [];
  }

  private charge(bytes: number): void {
    this.bytes += bytes;
    for (const b of this.budgets) b.charge(bytes);
  }

  private refund(bytes: number): void {
    this.bytes -= bytes;
    for (const b of this.budgets) b.refund(bytes);
  }

  /**
   * The writer must wait: `capacity` messages queued, or the byte cap reached by what is queued plus what
   * the reader socket still holds unsent — so a stream of large frames has at most about one frame in the
   * reader's socket and one arriving, instead of a queue full of them behind a slow reader.
   */
  private get full(): boolean {
    const maxBytes = this.readerLimits.maxQueuedBytes;
    return (
      this.queue.length >= this.capacity ||
      (maxBytes !== undefined && this.bytes + (this.reader?.bufferedAmount ?? 0) >= maxBytes) ||
      this.budgets.some((b) => b.exhausted)
    );
  }

  /** Pauses the writer while the channel is full and resumes it once there is room. */
  private updateWriter(): void {
    const ws = this.writer;
    if (!ws) return;
    const full = this.full;
    if (full && !this.writerPaused) {
      this.writerPaused = true;
      ws.pause();
    } else if (!full && this.writerPaused) {
      this.writerPaused = false;
      ws.resume();
    }
  }

  private pump(): void {
    const reader = this.reader;
    if (!reader || this.readerState !== 'open') return;
    while (
      this.queue.length > 0 &&
      this.inFlight < this.readerLimits.maxInFlight &&
      reader.bufferedAmount < this.readerLimits.highWaterBytes
    ) {
      const item = this.queue.shift() as ChannelItem;
      this.refund(item.data.length);
      this.inFlight++;
      reader.send(item.data, { binary: item.binary }, (err) => {
        // the socket no longer reads the payload (ws does not copy unmasked payloads): its buffer may be reused
        this.readerLimits.framePool?.give(item.data);
        this.inFlight--;
        if (err) {
          if (this.reader === reader) this.log.debug('channel send to reader failed', { channel_id: this.id, error: err.message });
          return;
        }
        this.delivered++;
        if (this.reader === reader) this.readerStall.progress(reader.bufferedAmount >= this.readerLimits.highWaterBytes);
        this.pump();
      });
    }
    this.updateWriter();
    this.readerStall.update(reader.bufferedAmount >= this.readerLimits.highWaterBytes);
    if (this.queue.length === 0 && this.writerState === 'finished' && this.inFlight === 0) {
      // everything the writer sent is handed to the reader's socket: end the stream, no status code
      // (or 1011 when the writer was lost, so a code-aware reader does not take a truncated stream as whole)
      this.readerState = 'closed';
      if (this.writerLost && this.readerLimits.reportWriterLoss) reader.close(1011, 'writer_lost');
      else reader.close();
    }
  }

  private checkSettled(): void {
    if (this.settledAt === undefined && this.settled) {
      this.settledAt = Date.now();
      this.clearQueue();
      this.refund(this.bytes);
      this.readerStall.stop();
    }
  }

  /** The reader stopped taking data: close it (1008), which ends the channel as a reader loss does. */
  private closeStalledReader(): void {
    const reader = this.reader;
    if (!reader) return;
    this.log.warn('closing a channel reader that stopped reading: 1008 outbound stalled', {
      channel_id: this.id,
      unsent_bytes: reader.bufferedAmount,
      queued_bytes: this.bytes,
      stall_timeout_ms: this.readerLimits.stallTimeoutMs,
    });
    reader.close(1008, 'outbound stalled');
    setTimeout(() => reader.terminate(), 1000).unref();
    this.onReaderClosed(reader);
  }

  /**
   * Releases what the channel holds when the broker removes it (TTL sweep, owner cleanup): its queued
   * bytes go back to their budgets and its timers stop.
   */
  release(): void {
    this.clearQueue();
    this.refund(this.bytes);
    this.readerStall.stop();
    if (this.writer) for (const b of this.budgets) b.leave(this);
  }

  /** True once the writer socket ended without a normal close. */
  get writerWasLost(): boolean {
    return this.writerLost;
  }

  /** Counters for stats and tests. */
  get counters(): { received: number; delivered: number } {
    return { received: this.received, delivered: this.delivered };
  }
}
