import { EMPTY, Observable, ReplaySubject, Subject, asyncScheduler, catchError, connectable } from 'rxjs';
import { distinctUntilChanged, endWith, map, merge, mergeMap, startWith, switchMap, takeUntil, tap, throwError } from 'rxjs';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { SendQueueFullError } from '../errors/SendQueueFullError';
import { PROTOCOL } from '../protocol/constants';
import type { Frame } from '../protocol/Frame';
import type { OutboundFrame } from '../protocol/OutboundFrame';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketLike } from '../socket/SocketLike';
import { DEFAULT_RECONNECT } from './backoffDelay';
import type { ConnectionOptions } from './ConnectionOptions';
import { authHeaders } from './authHeaders';
import { encodeFrame } from './encodeFrame';
import type { Logger } from './Logger';
import { SendOptions, SendOutcome, SendQueue } from './SendQueue';
import { reconnectWithBackoff } from './reconnectWithBackoff';
import { OpenSocket, socketSession } from './socketSession';

export type { ConnectionOptions } from './ConnectionOptions';
export type { SendOptions, SendOutcome } from './SendQueue';

/** Where a worker connection is in its life (PROTOCOL.md §3). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** One step of the connection's life; `open` carries the socket and its frames. */
type LifecycleEvent = { readonly state: Exclude<ConnectionState, 'open'> } | ({ readonly state: 'open' } & OpenSocket);

/**
 * One logical connection to an iii engine, built from Observables: a socket session (one subscription, one
 * socket) retried with backoff (`retry({ delay, resetOnSuccess })`) and shared; `state$` and `frames$` are
 * derived from it. While the socket is down, frames wait in a bounded queue. On every open it sends the
 * `replay` frames, the queued frames, then the `afterFlush` frames (PROTOCOL.md §3). A WebSocket ping goes
 * out every 20 s and the socket is reopened after 60 s without any inbound frame. It reads no application
 * frame: its owner decides when the engine refused it for good (`fail`).
 *
 * @example
 * ```ts
 * const connection = new Connection('ws://127.0.0.1:49134', { logger: { warn: console.warn } });
 * connection.frames$.subscribe((frame) => console.log(frame.type));
 * await connection.close();
 * ```
 */
export class Connection {
  /** The frames of the open socket, hot: nothing is replayed; completes when the connection is closed. */
  readonly frames$: Observable<Frame>;
  /** The current state, replayed to new subscribers; completes after `closed`. */
  readonly state$: Observable<ConnectionState>;

  private readonly maxBytes: number;
  private readonly maxBuffered: number;
  private readonly logger: Logger;
  private readonly queue: SendQueue;
  private readonly closed$ = new Subject<void>();
  private readonly failed$ = new Subject<Error>();
  private readonly reconnecting$ = new Subject<LifecycleEvent>();
  /** Sockets closed by `close()`/`fail()` whose closing handshake has not finished. */
  private readonly closingSockets: Promise<void>[] = [];
  private current: ConnectionState = 'connecting';
  /** The open socket: `send` writes to it synchronously. */
  private socket?: SocketLike;
  private failure?: Error;
  private closePromise?: Promise<void>;
  private readonly written = (err?: Error) => {
    if (err) this.logger.warn?.(`a frame could not be written to the worker socket: ${err.message}`, err);
  };

  constructor(
    readonly url: string,
    private readonly options: ConnectionOptions = {},
  ) {
    this.maxBytes = options.maxFrameBytes ?? PROTOCOL.maxFrameBytes;
    this.maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.logger = options.logger ?? {};
    this.queue = new SendQueue(options.maxQueuedFrames ?? 1024, options.maxQueuedBytes ?? 64 * 1024 * 1024);
    const events$ = connectable(this.lifecycle(), { connector: () => new ReplaySubject<LifecycleEvent>(1), resetOnDisconnect: false });
    this.state$ = events$.pipe(map((event) => event.state), distinctUntilChanged());
    this.frames$ = events$.pipe(switchMap((event) => (event.state === 'open' ? event.frames : EMPTY)));
    events$.connect();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.current;
  }

  /**
   * Why the connection closed for good on its own: the error given to `fail` (a worker's AuthError), a
   * ConnectionClosedError when reconnecting gave up or the URL cannot be opened. Undefined while alive and
   * after `close()`.
   */
  get closeError(): Error | undefined {
    return this.failure;
  }

  /** Frames waiting in the queue for the socket to open. */
  get queuedFrames(): number {
    return this.queue.length;
  }

  /**
   * Sends one frame as JSON text, synchronously when the socket is open, or queues it while it is not.
   *
   * @throws PayloadTooLargeError when the JSON exceeds `maxFrameBytes` (nothing is sent, the connection stays up)
   * @throws SendQueueFullError when the frame would have to be queued and the queue is full, or the open
   *   socket already holds `maxBufferedBytes` unsent
   * @throws ConnectionClosedError after `close()` or when reconnecting gave up (or the `fail` error)
   * @throws PayloadEncodeError when the frame is not serialisable
   */
  send(frame: OutboundFrame, options: SendOptions = {}): SendOutcome {
    if (this.current === 'closed') throw this.failure ?? new ConnectionClosedError('the worker connection is closed');
    const text = encodeFrame(frame, this.maxBytes);
    const socket = this.socket;
    if (socket !== undefined) {
      if (socket.bufferedAmount > this.maxBuffered) {
        throw new SendQueueFullError(
          `the worker socket already holds ${socket.bufferedAmount} unsent bytes (maxBufferedBytes); the engine is not reading`,
        );
      }
      socket.send(text, this.written);
      return 'sent';
    }
    if (options.whenClosed === 'skip') return 'skipped';
    this.queue.push(text, options);
    return 'queued';
  }

  /**
   * The Observable form of {@link send}: subscribing sends the frame (or queues it while disconnected); it
   * completes once the frame was handed to the socket and errors when it cannot be sent or is dropped
   * (`ConnectionClosedError`, `SendQueueFullError`, `PayloadTooLargeError`, ...). Unsubscribing means "no
   * longer wanted": a frame still queued is then not sent.
   *
   * @example
   * ```ts
   * connection.send$(pingFrame()).subscribe({ complete: () => console.log('handed to the socket') });
   * ```
   */
  send$(frame: OutboundFrame): Observable<never> {
    return new Observable<never>((subscriber) => {
      try {
        const outcome = this.send(frame, {
          stillWanted: () => !subscriber.closed,
          onFlushed: () => subscriber.complete(),
          onDropped: (err) => subscriber.error(err),
        });
        if (outcome !== 'queued') subscriber.complete();
      } catch (err) {
        subscriber.error(err);
      }
    });
  }

  /**
   * Closes the connection for good: stops reconnecting, drops queued frames (their owners are told), and
   * resolves once the socket is closed. Idempotent; works while still connecting.
   *
   * @example
   * ```ts
   * await connection.close();
   * ```
   */
  close(): Promise<void> {
    if (!this.closePromise) {
      this.closed$.next();
      this.closePromise = Promise.all(this.closingSockets).then(() => undefined);
    }
    return this.closePromise;
  }

  /**
   * Closes the connection for good because of `err`, which becomes `closeError` and what queued and later
   * sends fail with; nothing reconnects. For the owner that read a refusal in the frames (a worker's
   * `AUTH_ERROR`). Ignored once closed.
   *
   * @example
   * ```ts
   * connection.fail(new AuthError('the engine refused this worker'));
   * ```
   */
  fail(err: Error): void {
    this.failed$.next(err);
  }

  /** The socket sessions, retried with backoff, until `close()`, `fail()` or giving up. */
  private lifecycle(): Observable<LifecycleEvent> {
    const { options, url, logger } = this;
    const scheduler = options.scheduler ?? asyncScheduler;
    const sockets$ = socketSession({
      factory: options.socketFactory ?? defaultSocketFactory,
      url,
      open: { headers: authHeaders(options), handshakeTimeoutMs: options.handshakeTimeoutMs ?? PROTOCOL.handshakeTimeoutMs, batchWrites: true },
      heartbeat: { pingIntervalMs: options.pingIntervalMs ?? PROTOCOL.pingIntervalMs, idleTimeoutMs: options.idleTimeoutMs ?? PROTOCOL.idleTimeoutMs },
      scheduler,
      logger,
      closeTimeoutMs: options.closeTimeoutMs ?? 1000,
      closing: (closed) => this.closingSockets.push(closed),
    });
    const reconnecting = () => this.reconnecting$.next({ state: 'reconnecting' });
    const config = { ...DEFAULT_RECONNECT, ...options.reconnect };
    const retried$ = sockets$.pipe(
      map((open): LifecycleEvent => ({ state: 'open', ...open })),
      reconnectWithBackoff({ url, config, random: options.random ?? Math.random, scheduler, logger, reconnecting }),
    );
    return merge(retried$, this.reconnecting$, this.failed$.pipe(mergeMap((err) => throwError(() => err)))).pipe(
      startWith<LifecycleEvent>({ state: 'connecting' }),
      takeUntil(this.closed$),
      catchError((err: unknown) => this.closedFor(err)),
      endWith<LifecycleEvent>({ state: 'closed' }),
      tap((event) => this.enter(event)),
    );
  }

  /** Records why the connection ended on its own (and says so), then lets the lifecycle end. */
  private closedFor(err: unknown): Observable<never> {
    const failure = (this.failure = err instanceof Error ? err : new ConnectionClosedError(String(err)));
    this.logger.error?.(failure instanceof ConnectionClosedError ? failure.message : `${failure.message}; not reconnecting`, err);
    return EMPTY;
  }

  /** The effects of each step: the socket `send` writes to, the opening frames, the queue's fate. */
  private enter(event: LifecycleEvent): void {
    this.current = event.state;
    this.socket = event.state === 'open' ? event.socket : undefined;
    if (event.state === 'open') this.opened(event.socket);
    else if (event.state === 'closed') {
      this.queue.drop(this.failure ?? new ConnectionClosedError('the worker connection was closed before this frame could be sent'), this.logger);
    }
  }

  /** Sends the `replay` frames, the queued frames, then the `afterFlush` frames on a socket that just opened. */
  private opened(socket: SocketLike): void {
    const sendAll = (frames: Iterable<OutboundFrame> = []) => {
      for (const frame of frames) {
        try {
          socket.send(encodeFrame(frame, this.maxBytes), this.written);
        } catch (err) {
          this.logger.error?.('could not replay a frame', err);
        }
      }
    };
    try {
      sendAll(this.options.replay?.());
      this.queue.drain((text) => socket.send(text, this.written));
      sendAll(this.options.afterFlush?.());
    } catch (err) {
      this.logger.error?.('failed while replaying registrations after (re)connect', err);
    }
  }
}
