import { Observable } from 'rxjs';
import type { Channel } from '../channel/Channel';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import type { ConnectionState } from '../connection/Connection';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import type { Frame } from '../protocol/Frame';
import type { SocketFactory } from '../socket/SocketLike';
import { assembleWorker, WorkerParts } from './assembleWorker';
import type { TriggerOptions } from './CallClient';
import type { FunctionHandler, RegisterFunctionOptions, Registration } from './FunctionContext';
import type { RegisterTriggerTypeOptions, TriggerRegistrationRequest } from './RegistrationTable';
import type { TriggerRegistrationFailure, TriggerTypeHandler } from './TriggerTypeHandler';
import type { WorkerOptions } from './WorkerOptions';

export type { TriggerOptions } from './CallClient';
export type { RegisterTriggerTypeOptions, TriggerRegistrationRequest } from './RegistrationTable';
export type { WorkerOptions } from './WorkerOptions';

/**
 * An iii worker as Observables, a thin facade over its parts (wired by {@link assembleWorker}): one engine
 * `Connection` (reconnecting, opening each socket with the {@link WorkerIdentity}'s `reattach` and the
 * {@link RegistrationTable}'s replay), the {@link CallClient} (calls and their pending table), the
 * {@link FunctionHost} (serving registered functions) and the {@link TriggerTypeProvider}; inbound frames
 * are dispatched by `routeFrame`, state changes handled by `disconnectPolicy`. Create it with
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

  private readonly parts: WorkerParts;
  private closing?: Promise<void>;

  constructor(
    /** The engine address the worker was given. */
    readonly url: string,
    options: WorkerOptions = {},
  ) {
    const parts = (this.parts = assembleWorker(this, options));
    this.socketFactory = parts.channelSockets.factory;
    this.triggerErrors$ = parts.provider.failures$;
    this.frames$ = parts.connection.frames$;
    this.state$ = parts.connection.state$;
  }

  /** The id the engine gave the current connection (changes on every reconnect); `undefined` until registered. */
  get workerId(): string | undefined {
    return this.parts.identity.workerId;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.parts.connection.state;
  }

  /**
   * Why the worker closed on its own: AuthError (code `AUTH_ERROR`) when the engine refused its token,
   * ConnectionClosedError when reconnecting gave up or the URL cannot be opened; undefined while alive or
   * after `close()`.
   */
  get closeError(): Error | undefined {
    return this.parts.connection.closeError;
  }

  /** Calls currently waiting for a result. */
  get pendingCalls(): number {
    return this.parts.pending.size;
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
    return this.parts.table.addFunction(id, handler as FunctionHandler, options as RegisterFunctionOptions);
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
    return this.parts.calls.trigger<R>(functionId, payload, options);
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
    return this.parts.calls.stream<T>(functionId, payload, options);
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
    return this.parts.table.addTriggerType(id, description, handler, options);
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
    return this.parts.table.addTrigger(request);
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
    const { connection, channelSockets, pending, host, subscription } = this.parts;
    this.closing ??= Promise.all([connection.close(), channelSockets.closeAll(1001, 'worker_closed')]).then(() => {
      pending.failAll(new ConnectionClosedError('the worker was closed'));
      host.close();
      subscription.unsubscribe();
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
}
