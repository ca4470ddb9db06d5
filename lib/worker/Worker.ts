import { Observable, Subscription } from 'rxjs';
import type { Channel } from '../channel/Channel';
import type { ChannelHost } from '../channel/ChannelHost';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import { defaultPayloadCodec } from '../codec/defaultPayloadCodec';
import { Connection, ConnectionState } from '../connection/Connection';
import type { Logger } from '../connection/Logger';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { ENGINE_FUNCTIONS, PROTOCOL } from '../protocol/constants';
import type { Frame } from '../protocol/Frame';
import { invokeFunctionFrame, OutboundFrame } from '../protocol/OutboundFrame';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import type { SocketFactory } from '../socket/SocketLike';
import { TrackedSocketFactory, trackSockets } from '../socket/trackSockets';
import { CallClient, TriggerOptions } from './CallClient';
import type { FunctionHandler, RegisterFunctionOptions, Registration } from './FunctionContext';
import { FunctionHost } from './FunctionHost';
import { PendingCalls } from './PendingCalls';
import { disconnectPolicy } from './disconnectPolicy';
import { routeFrame } from './routeFrame';
import { RegisterTriggerTypeOptions, RegistrationTable, TriggerRegistrationRequest } from './RegistrationTable';
import type { TriggerRegistrationFailure, TriggerTypeHandler } from './TriggerTypeHandler';
import { TriggerTypeProvider } from './TriggerTypeProvider';
import { WorkerIdentity } from './WorkerIdentity';
import { workerMetadata } from './workerMetadata';
import type { WorkerOptions } from './WorkerOptions';

export type { TriggerOptions } from './CallClient';
export type { RegisterTriggerTypeOptions, TriggerRegistrationRequest } from './RegistrationTable';
export type { WorkerOptions } from './WorkerOptions';

/**
 * An iii worker as Observables, a thin facade over its parts: one engine {@link Connection} (reconnecting
 * and replaying the {@link RegistrationTable}), the {@link CallClient} (calls and their pending table), the
 * {@link FunctionHost} (serving registered functions) and the {@link TriggerTypeProvider}. Create it with
 * {@link connectWorker}.
 *
 * @example
 * ```ts
 * const worker = connectWorker('ws://127.0.0.1:49134');
 * worker.registerFunction('math::add', ({ a, b }: { a: number; b: number }) => a + b);
 * worker.trigger('math::add', { a: 1, b: 2 }).subscribe((sum) => console.log(sum)); // 3
 * await worker.close();
 * ```
 */
export class Worker {
  /** Every decoded inbound frame, hot and shared. */
  readonly frames$: Observable<Frame>;
  /** Connection state, replaying the current one. */
  readonly state$: Observable<ConnectionState>;
  /** Trigger registrations the engine reported as failed (also logged). */
  readonly triggerErrors$: Observable<TriggerRegistrationFailure>;
  /** The socket factory of the channel ends opened for this worker (tracked: `close()` closes them). */
  readonly socketFactory: SocketFactory;

  private readonly connection: Connection;
  private readonly pending: PendingCalls;
  private readonly table: RegistrationTable;
  private readonly calls: CallClient;
  private readonly host: FunctionHost;
  private readonly provider: TriggerTypeProvider;
  private readonly logger: Logger;
  private readonly channelSockets: TrackedSocketFactory;
  private readonly identity = new WorkerIdentity();
  private readonly subscription = new Subscription();
  private closing?: Promise<void>;

  constructor(
    /** The engine address the worker was given. */
    readonly url: string,
    private readonly options: WorkerOptions = {},
  ) {
    const logger = (this.logger = options.logger ?? {});
    this.channelSockets = trackSockets(options.socketFactory ?? defaultSocketFactory);
    this.socketFactory = this.channelSockets.factory;
    this.pending = new PendingCalls(options.maxPendingCalls ?? 10_000, options.scheduler);
    // the codec's narrow capability: open channels through this worker's calls and sockets
    const channelHost: ChannelHost = {
      url,
      socketFactory: this.socketFactory,
      trigger: (functionId, payload) => this.calls.trigger(functionId, payload),
    };
    const codec = defaultPayloadCodec(options.payloadCodec, channelHost, logger);
    this.table = new RegistrationTable((frame) => this.sendRegistration(frame));
    this.connection = new Connection(url, {
      ...options,
      replay: () => [...this.identity.reattach(), ...this.table.replay()],
      afterFlush: () => [
        invokeFunctionFrame({ function_id: ENGINE_FUNCTIONS.workersRegister, data: workerMetadata(options), action: { type: 'void' } }),
      ],
    });
    this.calls = new CallClient({
      connection: this.connection,
      codec,
      pending: this.pending,
      timeoutMs: options.invocationTimeoutMs ?? PROTOCOL.invocationTimeoutMs,
      url,
      socketFactory: this.socketFactory,
    });
    const reply = (frame: OutboundFrame) => this.reply(frame);
    this.host = new FunctionHost({
      table: this.table,
      codec,
      channelHost,
      logger,
      reply,
      maxConcurrentInvocations: options.maxConcurrentInvocations ?? 10_000,
      worker: this,
    });
    this.provider = new TriggerTypeProvider(this.table, reply, logger);
    this.triggerErrors$ = this.provider.failures$;
    this.frames$ = this.connection.frames$;
    this.state$ = this.connection.state$;
    const { pending, host, provider, identity, connection, calls } = this;
    const refused = (err: Error) => connection.fail(err);
    const routes = { pending, host, provider, identity, logger, refused, url };
    this.subscription.add(connection.frames$.subscribe((frame) => routeFrame(frame, routes)));
    const failInFlight = options.failInFlightOnDisconnect !== false;
    const parts = { calls, pending, provider, identity, logger, failInFlight, closeError: () => connection.closeError };
    this.subscription.add(connection.state$.subscribe((state) => disconnectPolicy(state, parts)));
  }

  /** The id the engine gave the current connection (changes on every reconnect); `undefined` until registered. */
  get workerId(): string | undefined {
    return this.identity.workerId;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /**
   * Why the worker closed on its own: AuthError (code `AUTH_ERROR`) when the engine refused its token,
   * ConnectionClosedError when reconnecting gave up or the URL cannot be opened; undefined while alive or
   * after `close()`.
   */
  get closeError(): Error | undefined {
    return this.connection.closeError;
  }

  /** Calls currently waiting for a result. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /**
   * Serves a function under `id` on this worker (and on every later reconnection). Its result is one value
   * (an Observable's single value), or with `{ stream: true }` always a channel of values (see
   * `FunctionHandler`).
   *
   * @throws RegistrationError (code `INVALID_REGISTRATION`) for an empty id or one already registered here
   * @example
   * ```ts
   * const reg = worker.registerFunction('greet', (input: { name: string }) => `hello ${input.name}`);
   * reg.unregister();
   * ```
   */
  registerFunction<I = unknown, O = unknown>(
    id: string,
    handler: FunctionHandler<I, O>,
    options: RegisterFunctionOptions<I, O> = {},
  ): Registration {
    // the table keeps every registration under one unknown-typed view; I and O were checked against the codecs
    // here at compile time, and FunctionHost feeds the handler what its input codec (if any) decoded
    return this.table.addFunction(id, handler as FunctionHandler, options as RegisterFunctionOptions);
  }

  /**
   * Calls `functionId` with `payload`. Cold: each subscription sends one call (queued while reconnecting);
   * the result arrives as one value, then completion (a void call emits `undefined` once sent). Errors:
   * InvocationError with the wire `code` (`function_not_found`, `invalid_input`, `TIMEOUT`,
   * `CONNECTION_LOST`, a handler's own code, ...) or a local IiiRxError. Unsubscribing, a timeout or a
   * failure frees the pending entry and stops the payload's Observables (closing their channels).
   *
   * @example
   * ```ts
   * worker.trigger<number>('math::add', { a: 1, b: 2 }, { timeoutMs: 5_000 }).subscribe((sum) => console.log(sum));
   * await firstValueFrom(worker.trigger('audit::log', { event: 'x' }, { action: 'void' })); // once sent
   * ```
   */
  trigger(functionId: string, payload: unknown, options: TriggerOptions & { action: 'void' }): Observable<void>;
  trigger<R = unknown>(functionId: string, payload?: unknown, options?: TriggerOptions): Observable<R>;
  trigger<R = unknown>(functionId: string, payload?: unknown, options: TriggerOptions = {}): Observable<R> {
    return this.calls.trigger<R>(functionId, payload, options);
  }

  /**
   * Calls a streaming function (registered with `{ stream: true }`) and emits its values. Cold: subscribing
   * makes the call; completes on the stream's end record; errors with `StreamError` (the producer's code and
   * message), `StreamTruncatedError` (cut off), or the call's error. Unsubscribing stops waiting for the
   * result or closes the channel, which stops the producer.
   *
   * @example
   * ```ts
   * worker.stream<number>('numbers::squares', { upTo: 5 }).subscribe((n) => console.log(n)); // 1 4 9 16 25
   * ```
   */
  stream<T = unknown>(functionId: string, payload?: unknown, options: Omit<TriggerOptions, 'action'> = {}): Observable<T> {
    return this.calls.stream<T>(functionId, payload, options);
  }

  /**
   * Declares this worker the provider of trigger type `id`: the engine forwards every binding of that type
   * to `handler`. Replayed on reconnect.
   *
   * @throws RegistrationError for an empty id or one already provided here
   * @example
   * ```ts
   * worker.registerTriggerType('cron', 'on a schedule', { registerTrigger: (t) => schedule(t), unregisterTrigger: (t) => unschedule(t.id) });
   * ```
   */
  registerTriggerType(
    id: string,
    description: string,
    handler: TriggerTypeHandler,
    options: RegisterTriggerTypeOptions = {},
  ): Registration {
    return this.table.addTriggerType(id, description, handler, options);
  }

  /**
   * Binds `functionId` to a trigger of type `type` with `config`. Replayed on reconnect. A failure reported
   * by the type's provider arrives on `triggerErrors$`.
   *
   * @example
   * ```ts
   * const reg = worker.registerTrigger({ type: 'cron', functionId: 'report::daily', config: { at: '06:00' } });
   * reg.unregister();
   * ```
   */
  registerTrigger(request: TriggerRegistrationRequest): Registration {
    return this.table.addTrigger(request);
  }

  /**
   * Closes the worker: pending calls fail with ConnectionClosedError (code `CONNECTION_CLOSED`), running
   * handler results are unsubscribed, every socket it opened (channels included, which stops their pumps)
   * is closed, nothing reconnects. Resolves once those sockets are closed; idempotent.
   *
   * @example
   * ```ts
   * await worker.close();
   * ```
   */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.connection.close(), this.channelSockets.closeAll(1001, 'worker_closed')]).then(() => {
      this.pending.failAll(new ConnectionClosedError('the worker was closed'));
      this.host.close();
      this.subscription.unsubscribe();
    });
    return this.closing;
  }

  /**
   * Asks the engine for a new channel: emits one {@link Channel} (`reader`, `writer` and their refs) and
   * completes. Put either ref (or the live end itself) in a payload for another worker; use the other end
   * here. Channel sockets open when an end is used and are closed by `close()`.
   *
   * @example
   * ```ts
   * const { writer, readerRef } = await firstValueFrom(worker.createChannel());
   * worker.trigger('files::sha256', { input: readerRef }).subscribe(console.log);
   * ```
   */
  createChannel(options?: CreateChannelOptions): Observable<Channel> {
    return createChannel(this, options);
  }

  /** Sends a registration now if connected; otherwise it is part of the next replay. */
  private sendRegistration(frame: OutboundFrame): void {
    try {
      this.connection.send(frame, { whenClosed: 'skip' });
    } catch (err) {
      if (!(err instanceof ConnectionClosedError)) throw err;
    }
  }

  /** Sends a reply frame; after close it is only logged (nobody else can be told). */
  private reply(frame: OutboundFrame): void {
    try {
      this.connection.send(frame);
    } catch (err) {
      if (!(err instanceof ConnectionClosedError)) throw err;
      this.logger.debug?.('a reply was not sent because the worker is closed', err);
    }
  }
}
