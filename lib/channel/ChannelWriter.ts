import { isObservable, Observable, ReplaySubject, Subscription } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError';
import { ChannelOverflowError } from '../errors/ChannelOverflowError';
import type { StreamChannelRef } from '../protocol/StreamChannelRef';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketFactory } from '../socket/SocketLike';
import { ChannelItem, channelItemBytes } from './ChannelItem';
import type { ChannelProgress } from './ChannelProgress';
import { channelUrl } from './channelUrl';
import { ChannelRefLike, toChannelRef } from './toChannelRef';
import { WriteFlowOptions, WriteSession, WriteSessionEvents } from './WriteSession';

/** Options of a channel writer. */
export interface ChannelWriterOptions extends WriteFlowOptions {
  /** Opens the socket; defaults to `ws` on Node. */
  socketFactory?: SocketFactory;
}

/** What a channel writer accepts as a source: an Observable or an (async) iterable of items. */
export type ChannelSource = Observable<ChannelItem> | AsyncIterable<ChannelItem> | Iterable<ChannelItem>;

/**
 * The write end of a channel. Two ways to use it (one per end: the engine hands each half out once):
 *
 * - `writer.write(source)` / `source.pipe(writeChannel(writer))`: a cold Observable of {@link ChannelProgress}
 *   that opens the socket on subscribe, sends the source and completes after the last frame was handed to
 *   the network **and** the socket closed normally (1000 `stream_complete`). An `AsyncIterable`/`Iterable`
 *   source is pulled — the next item only once the socket is below its `bufferedAmount` mark, so nothing is
 *   read ahead. An `Observable` source cannot be slowed down, so its items wait in a queue bounded by
 *   `maxQueuedBytes` (default 16 MiB); past it the write errors with `ChannelOverflowError`.
 *   Unsubscribing drops the socket.
 * - the Subject-like push API `next(item)` / `complete()` / `error(err)`, with the same bounded queue:
 *   `next` throws `ChannelOverflowError` (and fails the writer) past `maxQueuedBytes`; `ready()` resolves
 *   when the queue has drained; `done$` reports progress and completes once the socket closed normally.
 *
 * Binary items are cut into frames of at most 64 KiB; strings go as one text frame each. If the reader is
 * gone the engine drops the socket and the write errors with `ChannelClosedError`. `toJSON()` returns the ref.
 *
 * @example
 * ```ts
 * from(chunks).pipe(writeChannel(channel.writer)).subscribe({ complete: () => console.log('sent') });
 * // or
 * channel.writer.next('{"type":"started"}');
 * channel.writer.next(bytes);
 * channel.writer.complete();
 * ```
 */
export class ChannelWriter {
  /** The URL of this end (carries the access key: do not log it). */
  readonly url: string;
  private readonly refValue: StreamChannelRef;
  private readonly options: ChannelWriterOptions;
  private used = false;
  private push: PushState | undefined;

  constructor(engineUrl: string, end: ChannelRefLike, options: ChannelWriterOptions = {}) {
    const ref = toChannelRef(end);
    this.refValue = { channel_id: ref.channel_id, access_key: ref.access_key, direction: 'write' };
    this.url = channelUrl(engineUrl, this.refValue);
    this.options = options;
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
   * `ChannelOverflowError` (Observable source outran the socket by more than `maxQueuedBytes`), or the
   * source's own error (the socket is then dropped, so the reader sees the stream end early).
   */
  write(source: ChannelSource, options: WriteFlowOptions = {}): Observable<ChannelProgress> {
    return new Observable<ChannelProgress>((subscriber) => {
      let session: WriteSession;
      let teardownSource: (() => void) | undefined;
      let pull: (() => void) | undefined;
      try {
        session = this.openSession(options, {
          progress: (p) => subscriber.next(p),
          writable: () => pull?.(),
          done: () => subscriber.complete(),
          fail: (err) => {
            teardownSource?.();
            subscriber.error(err);
          },
        });
      } catch (err) {
        subscriber.error(err);
        return;
      }
      session.start();
      const failSource = (err: unknown) => {
        session.abort();
        subscriber.error(err);
      };
      if (isObservable(source)) {
        let sub: Subscription | undefined;
        let stopped = false;
        teardownSource = () => {
          stopped = true;
          sub?.unsubscribe();
        };
        sub = source.subscribe({
          next: (item) => {
            if (stopped) return;
            const size = channelItemBytes(item);
            if (session.queuedBytes + size > session.maxQueuedBytes) {
              teardownSource!();
              failSource(overflow(session.maxQueuedBytes));
              return;
            }
            session.enqueue(item);
          },
          error: (err) => {
            if (!stopped) failSource(err);
          },
          complete: () => session.end(),
        });
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
              failSource(err);
            } finally {
              pulling = false;
            }
          })();
        };
        pull();
      }
      return () => {
        teardownSource?.();
        session.abort();
      };
    });
  }

  /** Push API: queues one item (opening the socket on first use). Throws `ChannelOverflowError` past the queue bound. */
  next(item: ChannelItem): void {
    const state = this.pushState();
    if (state.failed) throw state.failed;
    if (state.completed) throw new ChannelClosedError('channel writer already completed');
    const size = channelItemBytes(item);
    if (state.session.queuedBytes + size > state.session.maxQueuedBytes) {
      const err = overflow(state.session.maxQueuedBytes);
      state.session.abort();
      state.fail(err);
      throw err;
    }
    state.session.enqueue(item);
  }

  /** Push API: no more items; the socket closes normally once everything was sent (see `done$`). */
  complete(): void {
    const state = this.pushState();
    if (state.completed || state.failed) return;
    state.completed = true;
    state.session.end();
  }

  /** Push API: abandons the stream — drops the socket (the reader sees an early end) and fails `done$` with `err`. */
  error(err: unknown): void {
    const state = this.pushState();
    if (state.failed) return;
    state.session.abort();
    state.fail(err instanceof Error ? err : new Error(String(err)));
  }

  /** Push API: resolves once the queue has drained into the socket (rejects if the writer failed). */
  ready(): Promise<void> {
    const state = this.pushState();
    if (state.failed) return Promise.reject(state.failed);
    if (state.session.wantsMore || state.completed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => state.waiters.push({ resolve, reject }));
  }

  /** Push API: running progress, completing once the socket closed normally, erroring if the write failed. */
  get done$(): Observable<ChannelProgress> {
    return this.pushState().subject.asObservable();
  }

  private pushState(): PushState {
    if (this.push) return this.push;
    const subject = new ReplaySubject<ChannelProgress>(1);
    const state: PushState = {
      subject,
      waiters: [],
      completed: false,
      failed: undefined,
      session: undefined as unknown as WriteSession,
      fail: (err) => {
        if (state.failed) return;
        state.failed = err;
        for (const w of state.waiters.splice(0)) w.reject(err);
        subject.error(err);
      },
    };
    const session = this.openSession(this.options, {
      progress: (p) => subject.next(p),
      writable: () => {
        for (const w of state.waiters.splice(0)) w.resolve();
      },
      done: () => {
        for (const w of state.waiters.splice(0)) w.resolve();
        subject.complete();
      },
      fail: (err) => state.fail(err),
    });
    state.session = session;
    this.push = state;
    session.start();
    return state;
  }

  private openSession(flow: WriteFlowOptions, events: WriteSessionEvents): WriteSession {
    if (this.used) throw new ChannelClosedError('this channel writer was already used; an end can be written once');
    this.used = true;
    const merged = { ...this.options };
    for (const [k, v] of Object.entries(flow)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    return new WriteSession(this.url, this.options.socketFactory ?? defaultSocketFactory, merged, events);
  }
}

interface PushState {
  subject: ReplaySubject<ChannelProgress>;
  session: WriteSession;
  waiters: { resolve(): void; reject(err: Error): void }[];
  completed: boolean;
  failed: Error | undefined;
  fail(err: Error): void;
}

function overflow(max: number): ChannelOverflowError {
  return new ChannelOverflowError(
    `channel writer queue exceeds ${max} bytes: the source produces faster than the channel drains`,
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
