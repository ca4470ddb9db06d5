import { BehaviorSubject, Observable, SchedulerLike, Subject, Subscription, asyncScheduler } from 'rxjs';
import { PROTOCOL } from '../protocol/constants';
import { decodeInbound } from './decodeInbound';
import { Frame } from '../protocol/Frame';
import { OutboundFrame, pingFrame, reattachFrame } from '../protocol/OutboundFrame';
import { SocketFactory, SocketLike } from '../socket/SocketLike';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import { PayloadEncodeError } from '../errors/PayloadEncodeError';
import { SendQueueFullError } from '../errors/SendQueueFullError';
import { AuthError } from '../errors/AuthError';
import { DEFAULT_RECONNECT, ReconnectConfig, backoffDelay } from './backoffDelay';
import { heartbeat } from './heartbeat';
import { Logger } from './Logger';

/** Where a worker connection is in its life (PROTOCOL.md §3). */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options of {@link Connection}. Every field is optional. */
export interface ConnectionOptions {
  /** Opens the socket; default `defaultSocketFactory` (`ws` on Node). Swap in a browser adapter here. */
  socketFactory?: SocketFactory;
  /** Headers for the upgrade request (RBAC). */
  headers?: Record<string, string>;
  /**
   * Engine auth token, sent as `Authorization: Bearer <token>` on the upgrade (it takes precedence over an
   * `Authorization` entry in `headers`). Default: env `III_TOKEN` when set (Node). An engine that refuses it
   * answers `AUTH_ERROR`: the connection then closes for good with an {@link AuthError} (`closeError`)
   * instead of reconnecting. Browser WebSockets cannot send headers, so there it needs a socket factory
   * that can.
   */
  token?: string;
  /** Runs backoff, heartbeat and close timers; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Reconnect policy; unspecified numbers keep the SDK defaults. */
  reconnect?: Partial<ReconnectConfig>;
  /** Source of jitter, in [0, 1); default `Math.random`. */
  random?: () => number;
  /** WebSocket ping period; default 20 000 ms. */
  pingIntervalMs?: number;
  /** Reconnect after this long without any inbound frame; default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Handshake timeout of each socket; default 10 000 ms. */
  handshakeTimeoutMs?: number;
  /** Frames held while disconnected; default 1024. A send beyond it fails with SendQueueFullError. */
  maxQueuedFrames?: number;
  /** Largest outbound JSON message in UTF-8 bytes; default 16 MiB (`PROTOCOL.maxFrameBytes`). */
  maxFrameBytes?: number;
  /**
   * Bytes the open socket may hold unsent (`bufferedAmount`) before a send fails with SendQueueFullError
   * instead of growing the buffer further; default 64 MiB.
   */
  maxBufferedBytes?: number;
  /** After `close()`, terminate the socket if the closing handshake takes longer than this; default 1000 ms. */
  closeTimeoutMs?: number;
  /** Receives malformed inbound frames, reconnects and other things nobody else can be told. */
  logger?: Logger;
  /** Frames re-sent on every open, after `reattach` and before the queued frames (registrations). */
  replay?: () => Iterable<OutboundFrame>;
  /** Frames sent on every open after the queued frames (the worker metadata call). */
  afterFlush?: () => Iterable<OutboundFrame>;
}

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
  text: string;
  options: SendOptions;
}

const byteLength: (text: string) => number =
  typeof Buffer !== 'undefined'
    ? (text) => Buffer.byteLength(text, 'utf8')
    : (() => {
        const encoder = new TextEncoder();
        return (text: string) => encoder.encode(text).length;
      })();

/**
 * One logical connection to an iii engine: a socket that is reopened with backoff when it drops, a hot
 * stream of decoded frames, a state stream, and a bounded queue for frames sent while it is down.
 * Lifecycle as PROTOCOL.md §3: on every (re)open it sends `reattach` (when it has a previous worker id), the
 * `replay` frames, the queued frames, then the `afterFlush` frames. A WebSocket ping goes out every 20 s and
 * the socket is terminated (and reopened) after 60 s without any inbound frame.
 *
 * @example
 * ```ts
 * const connection = new Connection('ws://127.0.0.1:49134', { logger: { warn: console.warn } });
 * connection.frames$.subscribe((frame) => console.log(frame.type));
 * await connection.close();
 * ```
 */
export class Connection {
  /** Every decoded inbound frame, hot and shared; completes when the connection is closed. */
  readonly frames$: Observable<Frame>;
  /** The current state, replayed to new subscribers; completes after `closed`. */
  readonly state$: Observable<ConnectionState>;

  private readonly framesSubject = new Subject<Frame>();
  private readonly stateSubject = new BehaviorSubject<ConnectionState>('connecting');
  private readonly activity = new Subject<void>();
  private readonly factory: SocketFactory;
  private readonly scheduler: SchedulerLike;
  private readonly reconnectConfig: ReconnectConfig;
  private readonly random: () => number;
  private readonly maxQueued: number;
  private readonly maxBytes: number;
  private readonly maxBuffered: number;
  private readonly logger: Logger;
  private socket?: SocketLike;
  private socketOpen = false;
  private attempt = 0;
  private queue: QueuedFrame[] = [];
  private heartbeatSub?: Subscription;
  private reconnectSub?: Subscription;
  private closeTimerSub?: Subscription;
  private closePromise?: Promise<void>;
  private resolveClose?: () => void;
  private previousWorkerId?: string;
  private reattachToken?: string;
  private currentWorkerId?: string;
  private readonly headers?: Record<string, string>;
  private failure?: Error;
  private refusal?: AuthError;

  constructor(
    readonly url: string,
    private readonly options: ConnectionOptions = {},
  ) {
    this.factory = options.socketFactory ?? defaultSocketFactory;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.reconnectConfig = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.random = options.random ?? Math.random;
    this.maxQueued = options.maxQueuedFrames ?? 1024;
    this.maxBytes = options.maxFrameBytes ?? PROTOCOL.maxFrameBytes;
    this.maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
    this.logger = options.logger ?? {};
    this.frames$ = this.framesSubject.asObservable();
    this.state$ = this.stateSubject.asObservable();
    const envToken = typeof process !== 'undefined' ? process.env?.III_TOKEN : undefined;
    const token = options.token ?? (envToken === '' ? undefined : envToken);
    this.headers = token !== undefined ? { ...options.headers, Authorization: `Bearer ${token}` } : options.headers;
    this.connect();
  }

  /** The current state. */
  get state(): ConnectionState {
    return this.stateSubject.value;
  }

  /** The worker id the engine gave the current socket (`workerregistered`), if it has arrived. */
  get workerId(): string | undefined {
    return this.currentWorkerId;
  }

  /**
   * Why the connection closed for good on its own: an {@link AuthError} when the engine refused the token,
   * a ConnectionClosedError when reconnecting gave up. Undefined while alive and after `close()`.
   */
  get closeError(): Error | undefined {
    return this.failure;
  }

  /** Frames waiting in the queue for the socket to open. */
  get queuedFrames(): number {
    return this.queue.length;
  }

  /**
   * Sends one frame as JSON text, or queues it while the socket is not open.
   *
   * @throws PayloadTooLargeError when the JSON exceeds `maxFrameBytes` (nothing is sent, the connection stays up)
   * @throws SendQueueFullError when the frame would have to be queued and the queue is full, or the open
   *   socket already holds `maxBufferedBytes` unsent
   * @throws ConnectionClosedError after `close()` or when reconnecting gave up
   * @throws PayloadEncodeError when the frame is not serialisable
   */
  send(frame: OutboundFrame, options: SendOptions = {}): SendOutcome {
    if (this.state === 'closed') throw this.failure ?? new ConnectionClosedError('the worker connection is closed');
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (err) {
      throw new PayloadEncodeError(`frame is not serialisable as JSON: ${(err as Error).message}`, { cause: err });
    }
    // UTF-8 needs at most 3 bytes per UTF-16 unit, so short texts need no measuring.
    if (text.length * 3 > this.maxBytes) {
      const bytes = byteLength(text);
      if (bytes > this.maxBytes) {
        const type = (frame as { type?: unknown }).type;
        throw new PayloadTooLargeError(
          `${String(type)} frame is ${bytes} bytes, over the ${this.maxBytes}-byte limit of one engine frame; ` +
            'send large data through a channel (createChannel) and pass its ref instead',
        );
      }
    }
    if (this.socketOpen && this.socket) {
      if (this.socket.bufferedAmount > this.maxBuffered) {
        throw new SendQueueFullError(
          `the worker socket already holds ${this.socket.bufferedAmount} unsent bytes (maxBufferedBytes); the engine is not reading`,
        );
      }
      this.write(this.socket, text);
      return 'sent';
    }
    if (options.whenClosed === 'skip') return 'skipped';
    if (this.queue.length >= this.maxQueued) this.purgeUnwanted();
    if (this.queue.length >= this.maxQueued) {
      throw new SendQueueFullError(
        `${this.queue.length} frames are already waiting for the engine connection (maxQueuedFrames)`,
      );
    }
    this.queue.push({ text, options });
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
    if (this.closePromise) return this.closePromise;
    this.closePromise = new Promise<void>((resolve) => {
      this.resolveClose = resolve;
    });
    this.reconnectSub?.unsubscribe();
    this.stopHeartbeat();
    this.dropQueue(new ConnectionClosedError('the worker connection was closed before this frame could be sent'));
    const socket = this.socket;
    this.socketOpen = false;
    this.setState('closed');
    this.framesSubject.complete();
    this.stateSubject.complete();
    if (!socket || socket.readyState === 3) {
      this.socket = undefined;
      this.finishClose();
    } else {
      this.closeTimerSub = this.scheduler.schedule(() => socket.terminate(), this.options.closeTimeoutMs ?? 1000);
      try {
        socket.close();
      } catch {
        socket.terminate();
      }
    }
    return this.closePromise;
  }

  private finishClose(): void {
    this.closeTimerSub?.unsubscribe();
    this.resolveClose?.();
  }

  private connect(): void {
    let socket: SocketLike;
    try {
      socket = this.factory(this.url, {
        headers: this.headers,
        handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? PROTOCOL.handshakeTimeoutMs,
      });
    } catch (err) {
      // e.g. a malformed URL: retrying cannot help
      const failure = new ConnectionClosedError(`cannot open a socket to ${this.url}: ${(err as Error).message}`, { cause: err });
      this.logger.error?.(failure.message, err);
      // on the next turn, so that whoever holds the new connection sees `closed` on state$
      this.reconnectSub = this.scheduler.schedule(() => this.giveUp(failure));
      return;
    }
    this.socket = socket;
    let opened = false;
    socket.setHandlers({
      open: () => {
        opened = true;
        if (this.socket === socket) this.onOpen(socket);
      },
      message: (data) => {
        if (this.socket === socket) this.onMessage(data);
      },
      activity: () => {
        if (this.socket === socket) this.activity.next();
      },
      error: (err) => {
        if (this.socket !== socket || this.state === 'closed') return;
        if (!opened && this.attempt === 0) {
          // a wrong URL or a refused connection: say so at once, not only after the retries
          this.logger.warn?.(`cannot connect to ${this.url}: ${err.message}; retrying with backoff`, err);
        } else this.logger.debug?.(`worker socket error: ${err.message}`, err);
      },
      close: (code, reason) => this.onSocketClose(socket, code, reason),
    });
  }

  private onOpen(socket: SocketLike): void {
    if (this.state === 'closed') return;
    this.attempt = 0;
    this.socketOpen = true;
    this.currentWorkerId = undefined;
    this.heartbeatSub = heartbeat(
      this.activity,
      {
        pingIntervalMs: this.options.pingIntervalMs ?? PROTOCOL.pingIntervalMs,
        idleTimeoutMs: this.options.idleTimeoutMs ?? PROTOCOL.idleTimeoutMs,
      },
      this.scheduler,
    ).subscribe((signal) => {
      if (signal === 'ping') {
        // browsers cannot send WebSocket pings: a JSON ping makes the engine answer with a pong frame instead
        if (socket.ping) socket.ping();
        else this.write(socket, JSON.stringify(pingFrame()));
      } else {
        this.logger.warn?.('no inbound frame for the idle timeout; terminating the socket to reconnect');
        socket.terminate();
      }
    });
    try {
      if (this.previousWorkerId !== undefined) {
        this.write(socket, JSON.stringify(reattachFrame(this.previousWorkerId, this.reattachToken)));
      }
      for (const frame of this.options.replay?.() ?? []) this.sendReplay(socket, frame);
      const queued = this.queue;
      this.queue = [];
      for (const entry of queued) {
        if (entry.options.stillWanted && !entry.options.stillWanted()) continue;
        this.write(socket, entry.text);
        entry.options.onFlushed?.();
      }
      for (const frame of this.options.afterFlush?.() ?? []) this.sendReplay(socket, frame);
    } catch (err) {
      this.logger.error?.('failed while replaying registrations after (re)connect', err);
    }
    if (this.socket === socket && this.socketOpen) this.setState('open');
  }

  private sendReplay(socket: SocketLike, frame: OutboundFrame): void {
    try {
      this.write(socket, JSON.stringify(frame));
    } catch (err) {
      this.logger.error?.('could not replay a frame', err);
    }
  }

  private write(socket: SocketLike, text: string): void {
    socket.send(text, (err) => {
      if (err) this.logger.warn?.(`a frame could not be written to the worker socket: ${err.message}`, err);
    });
  }

  private onMessage(data: string | Uint8Array): void {
    const result = decodeInbound(data);
    if (!result.ok) {
      if (result.code !== 'EMPTY') this.logger.warn?.(`dropped an inbound frame: ${result.message}`, result);
      return;
    }
    const frame = result.frame;
    if (frame.type === 'error') {
      const body = frame.error as { code?: unknown; message?: unknown } | null | undefined;
      if (body && typeof body === 'object' && body.code === 'AUTH_ERROR') {
        // the engine closes the socket next; remember why so that close is final rather than a reconnect
        const detail = typeof body.message === 'string' ? body.message : 'AUTH_ERROR';
        this.refusal ??= new AuthError(`the engine at ${this.url} refused this worker: ${detail}`);
      }
    }
    if (frame.type === 'workerregistered') {
      this.currentWorkerId = frame.worker_id;
      this.previousWorkerId = frame.worker_id;
      this.reattachToken = frame.reattach_token ?? undefined;
    }
    this.framesSubject.next(frame);
  }

  private onSocketClose(socket: SocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.socketOpen = false;
    this.currentWorkerId = undefined;
    this.stopHeartbeat();
    if (this.state === 'closed') {
      this.finishClose();
      return;
    }
    if (this.refusal) {
      this.logger.error?.(`${this.refusal.message}; not reconnecting`, this.refusal);
      this.giveUp(this.refusal);
      return;
    }
    const { maxRetries } = this.reconnectConfig;
    if (maxRetries >= 0 && this.attempt >= maxRetries) {
      this.logger.error?.(`worker socket closed (${code}) and ${maxRetries} reconnect attempts are used up; giving up`);
      this.giveUp(new ConnectionClosedError(`gave up reconnecting to ${this.url} after ${maxRetries} attempts`));
      return;
    }
    const delay = backoffDelay(this.attempt, this.reconnectConfig, this.random);
    this.logger.info?.(`worker socket closed (${code}${reason ? ` ${reason}` : ''}); reconnecting in ${delay} ms`);
    this.setState('reconnecting');
    this.reconnectSub = this.scheduler.schedule(() => {
      this.reconnectSub = undefined;
      this.attempt++;
      this.connect();
    }, delay);
  }

  /** Closes for good without `close()` being called: queued frames fail with `err`, state goes `closed`. */
  private giveUp(err: Error): void {
    this.failure = err;
    this.dropQueue(err);
    this.setState('closed');
    this.framesSubject.complete();
    this.stateSubject.complete();
    this.closePromise = Promise.resolve();
  }

  private stopHeartbeat(): void {
    this.heartbeatSub?.unsubscribe();
    this.heartbeatSub = undefined;
  }

  private purgeUnwanted(): void {
    this.queue = this.queue.filter((entry) => !entry.options.stillWanted || entry.options.stillWanted());
  }

  private dropQueue(err: Error): void {
    const dropped = this.queue;
    this.queue = [];
    for (const entry of dropped) {
      if (entry.options.stillWanted && !entry.options.stillWanted()) continue;
      if (entry.options.onDropped) entry.options.onDropped(err);
      else this.logger.warn?.('a queued frame was not sent because the connection closed', entry.text.slice(0, 200));
    }
  }

  private setState(state: ConnectionState): void {
    if (this.stateSubject.value !== state && !this.stateSubject.closed) this.stateSubject.next(state);
  }
}
