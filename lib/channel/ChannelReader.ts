import type * as t from 'io-ts';
import { Observable, Subscriber, TeardownLogic } from 'rxjs';
import type { Demand } from '../demand/Demand';
import { DemandObservable, keepDemand } from '../demand/DemandObservable';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketFactory } from '../socket/SocketLike';
import { binaryItems } from './binaryItems';
import type { ChannelItem } from './ChannelItem';
import { channelUrl } from './channelUrl';
import { ChannelRefLike, toChannelRef } from './toChannelRef';
import { collectBytes, CollectOptions } from './collectBytes';
import { observeValues, ObserveValuesOptions } from './observeValues';
import { decodeValues } from './decodeValues';
import { ReadFlowOptions, ReadSession } from './ReadSession';
import type { StreamReadOptions } from './streamRecords';
import { textItems } from './textItems';

/** Options of a channel reader. */
export interface ChannelReaderOptions extends ReadFlowOptions, StreamReadOptions {
  /** Opens the socket; defaults to `ws` on Node. */
  socketFactory?: SocketFactory;
}

/** How the one socket of a reader is being used. */
type ReaderMode = 'fresh' | 'views' | 'exclusive' | 'finished';

/** One subscription sharing the reader's socket, with its consumer's demand if it has one. */
interface View {
  readonly subscriber: Subscriber<ChannelItem>;
  readonly demand: Demand | undefined;
  stopListening?: () => void;
}

/**
 * The read end of a channel as a **cold Observable of {@link ChannelItem}s with one socket**: the first
 * subscription opens the socket (`dir=read`), the Observable completes when the writer finishes and errors
 * when the socket fails (`ChannelNotFoundError` for an unknown channel or wrong key, `SocketError`,
 * `ChannelClosedError` when dropped). The stream records of an iii-rx writer (`protocol/streamEnd`) never
 * arrive as items: a stream that began with a begin record completes only after its end record, errors with
 * `StreamError` (the producer's code and message) on an error record, and with `StreamTruncatedError` when
 * it closes or drops without one (`requireEnd` changes that); a stream without records (an iii-sdk writer)
 * completes at the close. Several views can share the socket — `reader.text$`, `reader.bytes$`
 * and `reader.values$()` together — as long as they subscribe before the first item is delivered (in the
 * same tick); the socket closes when the last one unsubscribes. A subscription after items were delivered,
 * or after the stream ended, errors with `ChannelClosedError`: the engine hands each half out only once.
 *
 * The reader is **pausable**: its buffer is bounded in bytes (`highWaterMarkBytes`, default 1 MiB, with a
 * frame cap `highWaterMark`) and it emits only while every view's consumer wants more. Demand-aware
 * consumers — `consume`, `consumeBatches`, `writeChannel` — say so through any number of stateless RxJS
 * operators (`map`, `filter`, `tap`, `scan`, `take`, ...), so `reader.pipe(map(f), consume(work))` keeps
 * the socket paused while `work` is busy and, through the engine, the writer too. A plain `subscribe`
 * takes each item synchronously and never holds the reader back; `concatMap` / `mergeMap` straight on a
 * reader buffer inside RxJS instead — use `consume`.
 *
 * `toJSON()` returns the ref, so a live reader can be put straight into a payload.
 *
 * @example
 * ```ts
 * const reader = channelReader(engineUrl, ref);
 * reader.pipe(textItems(), map(parse), consume((event) => save(event))).subscribe();
 * ```
 */
export class ChannelReader extends DemandObservable<ChannelItem> {
  /** The URL of this end (carries the access key: do not log it). */
  readonly url: string;
  private readonly options: ChannelReaderOptions;
  private readonly refValue: StreamChannelRef;
  private mode: ReaderMode = 'fresh';
  private session: ReadSession | undefined;
  private views: View[] = [];
  private delivered = false;
  private draining = false;
  private again = false;
  /** The last item delivered to a consumer that then stopped wanting more (counted in flight until it wants again). */
  private held: ChannelItem | undefined;

  constructor(engineUrl: string, end: ChannelRefLike, options: ChannelReaderOptions = {}) {
    const ref = toChannelRef(end);
    const box: { self?: ChannelReader } = {};
    super((subscriber, demand) => box.self!.subscribeView(subscriber, demand));
    box.self = this;
    this.refValue = { channel_id: ref.channel_id, access_key: ref.access_key, direction: 'read' };
    this.url = channelUrl(engineUrl, this.refValue);
    this.options = options;
  }

  private subscribeView(subscriber: Subscriber<ChannelItem>, demand: Demand | undefined): TeardownLogic {
    if (this.mode === 'views' && this.delivered) {
      subscriber.error(
        new ChannelClosedError('this channel reader is already delivering items; subscribe every view in the same tick'),
      );
      return;
    }
    if (this.mode !== 'fresh' && this.mode !== 'views') {
      subscriber.error(new ChannelClosedError('this channel reader was already opened; an end can be read once'));
      return;
    }
    if (this.mode === 'fresh') {
      try {
        this.session = this.open(this.options, () => this.drain());
      } catch (err) {
        subscriber.error(err);
        return;
      }
      this.mode = 'views';
    }
    const view: View = { subscriber, demand };
    view.stopListening = demand?.onResume(() => this.drain());
    this.views.push(view);
    if (this.views.length === 1) this.session!.start();
    return () => this.leave(view);
  }

  private leave(view: View): void {
    view.stopListening?.();
    const i = this.views.indexOf(view);
    if (i < 0) return;
    this.views.splice(i, 1);
    if (this.views.length === 0 && this.mode === 'views') {
      this.mode = 'finished';
      this.session?.close();
    }
  }

  private allWant(): boolean {
    for (const view of this.views) if (view.demand && !view.demand.wanted) return false;
    return true;
  }

  /** Hands queued items to every view while all of them want more; ends the views once the stream ended. */
  private drain(): void {
    const session = this.session;
    if (!session || this.mode !== 'views') return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.again = false;
        while (this.views.length > 0 && this.allWant()) {
          // demand is back: the item its consumer took last is no longer held against the marks
          if (this.held !== undefined) {
            const held = this.held;
            this.held = undefined;
            session.release(held);
          }
          const item = session.take();
          if (item === undefined) break;
          this.delivered = true;
          if (this.views.length === 1) this.views[0].subscriber.next(item);
          else for (const view of this.views.slice()) if (!view.subscriber.closed) view.subscriber.next(item);
          // a consumer that stopped wanting after this item is still working on it: it stays in flight, so
          // a large frame keeps the socket paused until that work is done
          if (this.allWant()) session.release(item);
          else this.held = item;
        }
      } while (this.again && this.views.length > 0);
    } finally {
      this.draining = false;
    }
    if (this.mode !== 'views' || !session.drained || this.views.length === 0) return;
    this.mode = 'finished';
    for (const view of this.views.splice(0)) {
      view.stopListening?.();
      if (session.error) view.subscriber.error(session.error);
      else view.subscriber.complete();
    }
  }

  /** The ref of this end (`direction: "read"`). */
  get ref(): StreamChannelRef {
    return { ...this.refValue };
  }

  /** The ref, so that `JSON.stringify` of a payload holding a live reader yields the ref. */
  toJSON(): StreamChannelRef {
    return this.ref;
  }

  /** Only the binary frames (a view: it shares the socket with the reader's other views, and is pausable). */
  get bytes$(): Observable<Uint8Array> {
    return this.pipe(binaryItems());
  }

  /** Only the text frames (a view: it shares the socket with the reader's other views, and is pausable). */
  get text$(): Observable<string> {
    return this.pipe(textItems());
  }

  /**
   * The values of a stream written by the payload codec, `streamValues` or `streamResult`: NDJSON text frames
   * become JSON values, binary frames `Uint8Array` values, and the stream's end record decides how it ends
   * (see `observeValues` and its `requireEnd`, whose options it takes). Given an io-ts codec, each value is
   * decoded with it and a value
   * that does not fit errors with `DecodeError` naming its path. A view, like `text$`, and pausable.
   *
   * @example
   * ```ts
   * const Reading = t.type({ sensor: t.string, celsius: t.number });
   * reader.values$(Reading).subscribe((r) => console.log(r.sensor, r.celsius));
   * ```
   */
  values$(options?: ObserveValuesOptions): Observable<unknown>;
  values$<A>(codec: t.Decoder<unknown, A>, options?: ObserveValuesOptions): Observable<A>;
  values$<A>(
    codecOrOptions?: t.Decoder<unknown, A> | ObserveValuesOptions,
    options?: ObserveValuesOptions,
  ): Observable<unknown> {
    const codec = isDecoder(codecOrOptions) ? codecOrOptions : undefined;
    const flow = codec ? options : (codecOrOptions as ObserveValuesOptions | undefined);
    const values = keepDemand(this, this.pipe(observeValues(flow)));
    return codec ? values.pipe(decodeValues(codec)) : values;
  }

  /** All frames concatenated into one buffer (text as UTF-8), refusing with `CollectLimitError` past `maxBytes`. */
  collect(options: CollectOptions): Observable<Uint8Array> {
    return this.pipe(collectBytes(options));
  }

  /**
   * Reads the channel with `for await`, pausing the socket while more than the high marks (bytes, or
   * frames) are in flight: received and not yet handed back by the loop. Leaving the loop early drops the socket.
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
    let pendingItem: ChannelItem | undefined;
    return {
      next: async (): Promise<IteratorResult<ChannelItem>> => {
        if (!session) {
          session = this.openSession(this.options, onChange);
          session.start();
        }
        if (pendingTake) {
          pendingTake = false;
          session.release(pendingItem!);
          pendingItem = undefined;
        }
        for (;;) {
          const item = session.take();
          if (item !== undefined) {
            pendingTake = true;
            pendingItem = item;
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
    const session = this.open(flow, onChange);
    this.mode = 'exclusive';
    return session;
  }

  private open(flow: ReadFlowOptions, onChange: () => void): ReadSession {
    if (this.mode !== 'fresh') throw new ChannelClosedError('this channel reader was already opened; an end can be read once');
    return new ReadSession(
      this.url,
      this.options.socketFactory ?? defaultSocketFactory,
      { ...this.options, ...stripUndefined(flow) },
      onChange,
    );
  }
}

function isDecoder<A>(x: unknown): x is t.Decoder<unknown, A> {
  return typeof (x as { decode?: unknown } | undefined)?.decode === 'function';
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
