import { SendQueueFullError } from '../errors/SendQueueFullError';
import type { Logger } from './Logger';
import { utf8Length } from './utf8Length';

/** How {@link Connection.send} treats a frame while the socket is not open. */
export interface SendOptions {
  /** `'queue'` (default): hold it in the bounded queue; `'skip'`: drop it because it is replayed anyway. */
  whenClosed?: 'queue' | 'skip';
  /** Checked before a queued frame is flushed; `false` drops it quietly (its caller went away). */
  stillWanted?: () => boolean;
  /** A queued frame was handed to the socket. */
  onFlushed?: () => void;
  /** A queued frame will never be sent (the connection closed). */
  onDropped?: (err: Error) => void;
}

/** What {@link Connection.send} did with a frame. */
export type SendOutcome = 'sent' | 'queued' | 'skipped';

interface QueuedFrame {
  readonly text: string;
  readonly bytes: number;
  readonly options: SendOptions;
}

/**
 * The frames a connection holds while its socket is down, bounded by a count and by UTF-8 bytes. A frame
 * beyond either mark is refused with SendQueueFullError (never dropped silently); frames whose caller went
 * away (`stillWanted` false) free their slot first.
 *
 * @example
 * ```ts
 * const queue = new SendQueue(1024, 64 * 1024 * 1024);
 * queue.push('{"type":"ping"}', {});
 * queue.drain((text) => socket.send(text));
 * ```
 */
export class SendQueue {
  private entries: QueuedFrame[] = [];
  private bytes = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {}

  /** Frames waiting. */
  get length(): number {
    return this.entries.length;
  }

  /**
   * Holds one frame's text.
   *
   * @throws SendQueueFullError when it holds `maxFrames` frames or the text would take it past `maxBytes`
   */
  push(text: string, options: SendOptions): void {
    const bytes = utf8Length(text);
    if (this.entries.length >= this.maxFrames || this.bytes + bytes > this.maxBytes) this.purgeUnwanted();
    if (this.entries.length >= this.maxFrames) {
      throw new SendQueueFullError(`${this.entries.length} frames are already waiting for the engine connection (maxQueuedFrames)`);
    }
    if (this.bytes + bytes > this.maxBytes) {
      throw new SendQueueFullError(
        `${this.bytes} bytes are already waiting for the engine connection and this frame has ${bytes} (maxQueuedBytes)`,
      );
    }
    this.entries.push({ text, bytes, options });
    this.bytes += bytes;
  }

  /** Empties the queue into `write`, in order, skipping frames no longer wanted; tells each owner. */
  drain(write: (text: string) => void): void {
    for (const entry of this.take()) {
      if (entry.options.stillWanted && !entry.options.stillWanted()) continue;
      write(entry.text);
      entry.options.onFlushed?.();
    }
  }

  /** Empties the queue without sending: each owner still waiting gets `err` (or the logger hears of it). */
  drop(err: Error, logger: Logger): void {
    for (const entry of this.take()) {
      if (entry.options.stillWanted && !entry.options.stillWanted()) continue;
      if (entry.options.onDropped) entry.options.onDropped(err);
      else logger.warn?.('a queued frame was not sent because the connection closed', entry.text.slice(0, 200));
    }
  }

  private take(): QueuedFrame[] {
    const taken = this.entries;
    this.entries = [];
    this.bytes = 0;
    return taken;
  }

  private purgeUnwanted(): void {
    this.entries = this.entries.filter((entry) => !entry.options.stillWanted || entry.options.stillWanted());
    this.bytes = this.entries.reduce((sum, entry) => sum + entry.bytes, 0);
  }
}
