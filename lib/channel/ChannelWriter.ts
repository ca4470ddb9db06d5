import { isObservable, Observable, Observer, ReplaySubject, Subscription } from 'rxjs';
import { Demand } from '../demand/Demand';
import { subscribeWithDemand } from '../demand/DemandObservable';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import { ChannelOverflowError } from '../errors/ChannelOverflowError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import { PROTOCOL } from '../protocol/constants';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketFactory } from '../socket/SocketLike';
import { ChannelItem, channelItemBytes } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';
import { channelUrl } from './channelUrl';
import { ChannelRefLike, toChannelRef } from './toChannelRef';
import { StreamRecordWriter, StreamWriteOptions } from './streamRecords';
import { WriteFlowOptions, WriteSession, WriteSessionEvents } from './WriteSession';

/** Options of a channel writer. */
export interface ChannelWriterOptions extends WriteFlowOptions, StreamWriteOptions {
  /** Opens the socket; defaults to `ws` on Node. */
  socketFactory?: SocketFactory;
}

/** What a channel writer accepts as a source: an Observable or an (async) iterable of items. */
export type ChannelSource = Observable<ChannelItem> | AsyncIterable<ChannelItem> | Iterable<ChannelItem>;

/** Where the write end is in its life: unused, fed by `write()`, fed by the push API, or ended. */
type WriterMode = 'fresh' | 'write' | 'push' | 'completing' | 'finished';

/**
 * The write end of a channel. Two ways to use it (one per end: the engine hands each half out once):
 *
 * - `source.pipe(writeChannel(writer))` / `writer.write(source)`: a cold Observable of {@link ChannelProgress}
 *   that opens the socket on subscribe, sends the source and completes after the last frame was handed to
 *   the network **and** the socket closed normally (1000 `stream_complete`). A pausable source — a channel
 *   reader, {@link pulled} over an (async) iterable or a Node `Readable`, `consume(...)`'s output, with
 *   `map`/`filter`/... in between — is told to wait while the socket is above its `bufferedAmount` mark, so
 *   nothing is read ahead. So is an `AsyncIterable`/`Iterable` given to `write` directly. A source that
 *   cannot pause (a plain Observable) has its items wait in a queue bounded by `maxQueuedBytes` (16 MiB) and
 *   `maxQueuedItems` (16384); past it the write errors with `ChannelOverflowError`. Unsubscribing drops the socket.
 * - an **Observer**: `next(item)` / `complete()` / `error(err)`, with the same bounded queue, so
 *   `source.subscribe(writer)` works. `next` never throws: overflow, a text frame over the engine's 16 MiB
 *   limit (`PayloadTooLargeError`) or a lost socket fail the writer — `done$` and `ready()` report the
 *   error and whatever feeds the writer is unsubscribed (the writer is its own subscription). `next` after
 *   the end is ignored, as by any RxJS subscriber. `ready()` resolves when the queue has drained.
 *
 * `done$` reports the progress and outcome of this end however it is written, and completes once the
 * socket closed normally. Reading it, or calling `ready()`, opens nothing. `unsubscribe()` before
 * `complete()` abandons the stream (the reader sees an early end).
 *
 * The stream is framed with its records (`protocol/streamEnd`): a begin record first and, on completion, the
 * end record — or, when the source fails (or `error(err)` is called), the error record with the error's
 * code and message, then a normal close, so an iii-rx reader errors with `StreamError` even on an engine that
 * forwards only a bare close; the error is also told to `logger`. A dropped socket (unsubscribe, overflow,
 * a process that dies) sends no end record: an iii-rx reader errors with `StreamTruncatedError`. `records:
 * false` sends exactly the source's items. An iii-sdk reader sees the records as text messages.
 *
 * Binary items are cut into frames of at most 64 KiB; strings go as one text frame each (at most 16 MiB).
 * If the reader is gone the engine drops the socket and the write errors with `ChannelClosedError`.
 * `toJSON()` returns the ref.
 *
 * @example
 * ```ts
 * pulled(readRows()).pipe(map(toLine), writeChannel(channel.writer)).subscribe({ complete: () => console.log('sent') });
 * // or, as an Observer
 * from(['{"type":"started"}\n', bytes]).subscribe(channel.writer);
 * channel.writer.done$.subscribe({ error: (err) => console.error('write failed', err) });
 * ```
 */
export class ChannelWriter extends Subscription implements Observer<ChannelItem> {
  /** The URL of this end (carries the access key: do not log it). */
  readonly url: string;
  /** Running progress of this end; completes after the normal close, errors when the write failed. Opens nothing. */
  readonly done$: Observable<ChannelProgress>;
  private readonly refValue: StreamChannelRef;
  private readonly options: ChannelWriterOptions;
  private readonly outcome = new ReplaySubject<ChannelProgress>(1);
  private mode: WriterMode = 'fresh';
  private session: WriteSession | undefined;
  private failure: Error | undefined;
  private waiters: { resolve(): void; reject(err: Error): void }[] = [];

  constructor(engineUrl: string, end: ChannelRefLike, options: ChannelWriterOptions = {}) {
    super(() => this.onUnsubscribe());
    const ref = toChannelRef(end);
    this.refValue = { channel_id: ref.channel_id, access_key: ref.access_key, direction: 'write' };
    this.url = channelUrl(engineUrl, this.refValue);
    this.options = options;
    this.done$ = this.outcome.asObservable();
  }

  /** The ref of this end (`direction: "write"`). */
  get ref(): StreamChannelRef {
    return { ...this.refValue };
  }

  /** The ref, so that `JSON.stringify` of a payload holding a live writer yields the ref. */
  toJSON(): StreamChannelRef {
    return this.ref;
  }

  /**
   * Sends `source` through the channel; emits running progress and completes after a normal close.
   * Errors: `ChannelClosedError` (reader gone, end already used), `ChannelNotFoundError`, `SocketError`,
   * `ChannelOverflowError` (a source that cannot pause outran the socket by more than `maxQueuedBytes`),
   * `PayloadTooLargeError` (a text item over 16 MiB), or the source's own error (reported once its error
   * record was sent and the socket closed; with `records: false` the socket is dropped instead).
   */
  write(source: ChannelSource, options: WriteFlowOptions & StreamWriteOptions = {}): Observable<ChannelProgress> {
    return new Observable<ChannelProgress>((subscriber) => {
      let session: WriteSession;
      let teardownSource: (() => void) | undefined;
      let pull: (() => void) | undefined;
      let sourceFailure: Error | undefined;
      try {
        session = this.openSession('write', options, {
          progress: (p) => {
            subscriber.next(p);
            this.outcome.next(p);
          },
          writable: () => pull?.(),
          done: () => {
            if (sourceFailure) {
              // the error record went out and the socket closed normally: now report the source's error
              this.settleFailure(sourceFailure);
              subscriber.error(sourceFailure);
              return;
            }
            this.mode = 'finished';
            this.outcome.complete();
            subscriber.complete();
          },
          fail: (err) => {
            teardownSource?.();
            this.settleFailure(sourceFailure ?? err);
            subscriber.error(sourceFailure ?? err);
          },
        });
      } catch (err) {
        subscriber.error(err);
        return;
      }
      session.start();
      const failSource = (err: unknown) => {
        session.abort();
        const error = err instanceof Error ? err : new Error(String(err));
        this.settleFailure(error);
        subscriber.error(error);
      };
      // the source itself failed: its error travels as the error record, then the socket closes normally
      const endSource = (err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.logSourceError(error);
        if (session.endWithError(error)) sourceFailure = error;
        else failSource(error);
      };
      if (isObservable(source)) {
        let sub: Subscription | undefined;
        let stopped = false;
        const demand = new Demand();
        teardownSource = () => {
          stopped = true;
          sub?.unsubscribe();
        };
        pull = () => demand.set(true);
        sub = subscribeWithDemand(
          source,
          {
            next: (item) => {
              if (stopped) return;
              const tooLarge = oversized(item);
              if (tooLarge) {
                teardownSource!();
                failSource(tooLarge);
                return;
              }
              if (session.wouldOverflow(channelItemBytes(item))) {
                teardownSource!();
                failSource(overflow(session));
                return;
              }
              session.enqueue(item);
              if (!session.isFinished) demand.set(session.wantsMore);
            },
            error: (err) => {
              if (!stopped) endSource(err);
            },
            complete: () => session.end(),
          },
          demand,
        );
        if (stopped) sub.unsubscribe();
      } else {
        const iterator =
          Symbol.asyncIterator in source
            ? (source as AsyncIterable<ChannelItem>)[Symbol.asyncIterator]()
            : (source as Iterable<ChannelItem>)[Symbol.iterator]();
        let pulling = false;
        let stopped = false;
        teardownSource = () => {
          if (stopped) return;
          stopped = true;
          void Promise.resolve(iterator.return?.()).catch(() => undefined);
        };
        pull = () => {
          if (pulling || stopped) return;
          pulling = true;
          void (async () => {
            try {
              while (!stopped && session.wantsMore) {
                const r = await iterator.next();
                if (stopped) return;
                if (r.done) {
                  stopped = true;
                  session.end();
                  return;
                }
                session.enqueue(r.value);
              }
            } catch (err) {
              stopped = true;
              endSource(err);
            } finally {
              pulling = false;
            }
          })();
        };
        pull();
      }
      return () => {
        teardownSource?.();
        if (!session.isFinished && this.mode !== 'finished') this.settleFailure(unsubscribed());
        session.abort();
      };
    });
  }

  /**
   * Observer API: queues one item (opening the socket on first use). Never throws: past the queue bounds
   * the writer fails with `ChannelOverflowError` (see `done$`) and its source is unsubscribed. Ignored
   * after `complete()` or a failure.
   */
  next(item: ChannelItem): void {
    const session = this.pushSession();
    if (!session || this.mode !== 'push') return;
    const tooLarge = oversized(item);
    if (tooLarge) {
      session.abort();
      this.settleFailure(tooLarge);
      return;
    }
    if (session.wouldOverflow(channelItemBytes(item))) {
      session.abort();
      this.settleFailure(overflow(session));
      return;
    }
    session.enqueue(item);
  }

  /** Observer API: no more items; the socket closes normally once everything was sent (see `done$`). */
  complete(): void {
    const session = this.pushSession();
    if (!session || this.mode !== 'push') return;
    this.mode = 'completing';
    session.end();
    this.unsubscribe();
  }

  /**
   * Observer API: the source failed — sends what is queued and the error record of `err`, then closes
   * normally (with `records: false`: drops the socket, the reader sees an early end); `done$` fails with `err`.
   */
  error(err: unknown): void {
    const session = this.pushSession();
    if (!session || this.mode !== 'push') return;
    const error = err instanceof Error ? err : new Error(String(err));
    this.logSourceError(error);
    if (!session.endWithError(error)) session.abort();
    this.settleFailure(error);
  }

  private logSourceError(err: Error): void {
    this.options.logger?.error?.(`the source of a channel writer failed: ${err.message}`, err);
  }

  /** Resolves once the queue has drained into the socket (at once if nothing was queued); rejects if the writer failed. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const session = this.session;
    if (!session || this.mode !== 'push' || session.wantsMore) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The push session, opened on first use; undefined when this end is used otherwise or has ended. */
  private pushSession(): WriteSession | undefined {
    if (this.mode === 'fresh') {
      try {
        this.session = this.openSession('push', this.options, {
          progress: (p) => this.outcome.next(p),
          writable: () => this.wake(),
          done: () => {
            this.mode = 'finished';
            this.wake();
            this.outcome.complete();
          },
          fail: (err) => this.settleFailure(err),
        });
      } catch (err) {
        this.settleFailure(err as Error);
        return undefined;
      }
      this.session.start();
    }
    return this.session;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** Records the failure once: `done$` and `ready()` report it, and whatever feeds the writer is unsubscribed. */
  private settleFailure(err: Error): void {
    if (this.mode === 'finished' && this.failure) return;
    const wasWrite = this.mode === 'write';
    this.mode = 'finished';
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.outcome.error(err);
    if (!wasWrite) this.unsubscribe();
  }

  /** `unsubscribe()` before `complete()` abandons a push stream. */
  private onUnsubscribe(): void {
    if (this.mode !== 'push') return;
    this.session?.abort();
    this.settleFailure(unsubscribed());
  }

  private openSession(mode: 'write' | 'push', flow: WriteFlowOptions, events: WriteSessionEvents): WriteSession {
    if (this.mode !== 'fresh') {
      throw new ChannelClosedError('this channel writer was already used; an end can be written once');
    }
    const merged = { ...this.options };
    for (const [k, v] of Object.entries(flow)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    const records = new StreamRecordWriter(merged.records !== false);
    const session = new WriteSession(this.url, this.options.socketFactory ?? defaultSocketFactory, merged, events, records);
    this.mode = mode;
    return session;
  }
}

/** A text item larger than the engine's frame limit (PROTOCOL.md §10.1); binary items are split instead. */
function oversized(item: ChannelItem): PayloadTooLargeError | undefined {
  if (typeof item !== 'string' || item.length <= PROTOCOL.maxFrameBytes / 3) return undefined;
  const n = channelItemBytes(item);
  if (n <= PROTOCOL.maxFrameBytes) return undefined;
  return new PayloadTooLargeError(
    `text item of ${n} bytes exceeds the engine's frame limit of ${PROTOCOL.maxFrameBytes} bytes; send it as binary (split into frames) or in parts`,
  );
}

function unsubscribed(): ChannelClosedError {
  return new ChannelClosedError('the channel writer was unsubscribed before it completed: the stream was abandoned');
}

function overflow(session: WriteSession): ChannelOverflowError {
  return new ChannelOverflowError(
    `channel writer queue exceeds ${session.maxQueuedBytes} bytes or ${session.maxQueuedItems} items: the source produces faster than the channel drains (pause it: pulled(...), consume(...))`,
  );
}

/**
 * Makes the write end of a channel from its ref (e.g. one received in a payload).
 *
 * @example
 * ```ts
 * const writer = channelWriter('ws://127.0.0.1:49134', ref);
 * writer.write(from(['hello', Buffer.from([1, 2, 3])])).subscribe();
 * ```
 */
export function channelWriter(engineUrl: string, ref: ChannelRefLike, options?: ChannelWriterOptions): ChannelWriter {
  return new ChannelWriter(engineUrl, ref, options);
}
