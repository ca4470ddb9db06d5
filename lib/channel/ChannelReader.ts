import { Observable, Subscriber, TeardownLogic } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketFactory } from '../socket/SocketLike';
import { binaryItems } from './binaryItems';
import type { ChannelItem } from './ChannelItem';
import { channelUrl } from './channelUrl';
import { ChannelRefLike, toChannelRef } from './toChannelRef';
import { collectBytes, CollectOptions } from './collectBytes';
import { observeValues } from './observeValues';
import { ReadFlowOptions, ReadSession } from './ReadSession';
import { textItems } from './textItems';

/** Options of a channel reader. */
export interface ChannelReaderOptions extends ReadFlowOptions {
  /** Opens the socket; defaults to `ws` on Node. */
  socketFactory?: SocketFactory;
}

/**
 * The read end of a channel as a **cold, single-consumer Observable** of {@link ChannelItem}s: subscribing
 * opens the socket (`dir=read`), unsubscribing drops it, the Observable completes when the writer finishes
 * and errors when the socket fails (`ChannelNotFoundError` for an unknown channel or wrong key,
 * `SocketError`, `ChannelClosedError` when dropped). An end can be opened once; a second subscription errors
 * with `ChannelClosedError`.
 *
 * A plain `subscribe` hands each item over synchronously and never pauses: a synchronous consumer is never
 * behind. For asynchronous work use {@link readChannel} or `for await (const item of reader)`, which pause the
 * socket (and so, through the engine, the writer) above a high mark of items in flight.
 *
 * `toJSON()` returns the ref, so a live reader can be put straight into a payload.
 *
 * @example
 * ```ts
 * const reader = channelReader(engineUrl, ref);
 * reader.pipe(textItems()).subscribe((line) => console.log(line));
 * ```
 */
export class ChannelReader extends Observable<ChannelItem> {
  /** The URL of this end (carries the access key: do not log it). */
  readonly url: string;
  private readonly options: ChannelReaderOptions;
  private readonly refValue: StreamChannelRef;
  private used = false;

  constructor(engineUrl: string, end: ChannelRefLike, options: ChannelReaderOptions = {}) {
    const ref = toChannelRef(end);
    const box: { self?: ChannelReader } = {};
    super((subscriber) => box.self!.subscribeItems(subscriber));
    box.self = this;
    this.refValue = { channel_id: ref.channel_id, access_key: ref.access_key, direction: 'read' };
    this.url = channelUrl(engineUrl, this.refValue);
    this.options = options;
  }

  private subscribeItems(subscriber: Subscriber<ChannelItem>): TeardownLogic {
    let session: ReadSession;
    const drain = () => {
      let item: ChannelItem | undefined;
      while (!subscriber.closed && (item = session.take()) !== undefined) {
        session.release();
        subscriber.next(item);
      }
      if (subscriber.closed || !session.drained) return;
      if (session.error) subscriber.error(session.error);
      else subscriber.complete();
    };
    try {
      session = this.openSession({}, drain);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    session.start();
    return () => session.close();
  }

  /** The ref of this end (`direction: "read"`). */
  get ref(): StreamChannelRef {
    return { ...this.refValue };
  }

  /** The ref, so that `JSON.stringify` of a payload holding a live reader yields the ref. */
  toJSON(): StreamChannelRef {
    return this.ref;
  }

  /** Only the binary frames. */
  get bytes$(): Observable<Uint8Array> {
    return this.pipe(binaryItems());
  }

  /** Only the text frames. */
  get text$(): Observable<string> {
    return this.pipe(textItems());
  }

  /**
   * The values of a stream written by the payload codec or `streamResult`: NDJSON text frames become JSON
   * values, binary frames `Uint8Array` values.
   */
  values$(): Observable<unknown> {
    return this.pipe(observeValues());
  }

  /** All frames concatenated into one buffer (text as UTF-8), refusing with `CollectLimitError` past `maxBytes`. */
  collect(options: CollectOptions): Observable<Uint8Array> {
    return this.pipe(collectBytes(options));
  }

  /**
   * Reads the channel with `for await`, pausing the socket while more than the high mark of items wait.
   * Leaving the loop early drops the socket.
   */
  [Symbol.asyncIterator](): AsyncIterator<ChannelItem> {
    let session: ReadSession | undefined;
    let wake: (() => void) | undefined;
    let pendingTake = false;
    const wait = () => new Promise<void>((resolve) => (wake = resolve));
    const onChange = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    return {
      next: async (): Promise<IteratorResult<ChannelItem>> => {
        if (!session) {
          session = this.openSession(this.options, onChange);
          session.start();
        }
        if (pendingTake) {
          pendingTake = false;
          session.release();
        }
        for (;;) {
          const item = session.take();
          if (item !== undefined) {
            pendingTake = true;
            return { value: item, done: false };
          }
          if (session.drained) {
            if (session.error) throw session.error;
            return { value: undefined, done: true };
          }
          await wait();
        }
      },
      return: async (): Promise<IteratorResult<ChannelItem>> => {
        session?.close();
        return { value: undefined, done: true };
      },
    };
  }

  /**
   * Opens this end once (internal to the channel operators). Throws `ChannelClosedError` if it was opened
   * before: the engine hands each half out only once.
   */
  openSession(flow: ReadFlowOptions, onChange: () => void): ReadSession {
    if (this.used) throw new ChannelClosedError('this channel reader was already opened; an end can be read once');
    this.used = true;
    return new ReadSession(
      this.url,
      this.options.socketFactory ?? defaultSocketFactory,
      { ...this.options, ...stripUndefined(flow) },
      onChange,
    );
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Makes the read end of a channel from its ref (e.g. one received in a payload).
 *
 * @example
 * ```ts
 * channelReader('ws://127.0.0.1:49134', ref).pipe(binaryItems()).subscribe(...);
 * ```
 */
export function channelReader(engineUrl: string, ref: ChannelRefLike, options?: ChannelReaderOptions): ChannelReader {
  return new ChannelReader(engineUrl, ref, options);
}
