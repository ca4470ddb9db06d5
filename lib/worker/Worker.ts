import { randomUUID } from 'node:crypto';
import { Observable, Subject, Subscriber, Subscription, isObservable, lastValueFrom, map, switchMap } from 'rxjs';
import { isLeft } from 'fp-ts/lib/Either';
import { Connection, ConnectionOptions, ConnectionState } from '../connection/Connection';
import { Logger } from '../connection/Logger';
import { PayloadCodec, identityCodec } from '../codec/PayloadCodec';
import { channelPayloadCodec } from '../codec/channelPayloadCodec';
import { streamResult } from '../codec/streamResult';
import type { Channel } from '../channel/Channel';
import { createChannel, CreateChannelOptions } from '../channel/createChannel';
import { defaultSocketFactory } from '../socket/defaultSocketFactory';
import { TrackedSocketFactory, trackSockets } from '../socket/trackSockets';
import { ENGINE_FUNCTIONS, PROTOCOL } from '../protocol/constants';
import { describeErrors } from '../protocol/decodeFrame';
import { ErrorBody, toErrorBody } from '../protocol/ErrorBody';
import {
  Frame,
  InvocationResultFrame,
  InvokeFunctionFrame,
  RegisterTriggerFrame,
  TriggerRegistrationResultFrame,
  UnregisterTriggerFrame,
} from '../protocol/Frame';
import { SocketFactory } from '../socket/SocketLike';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { DecodeError } from '../errors/DecodeError';
import { IiiRxError } from '../errors/IiiRxError';
import { InvocationError } from '../errors/InvocationError';
import { PayloadTooLargeError } from '../errors/PayloadTooLargeError';
import { RegistrationError } from '../errors/RegistrationError';
import { FunctionContext, FunctionHandler, RegisterFunctionOptions, Registration } from './FunctionContext';
import { PendingCalls } from './PendingCalls';
import { handlerResult, handlerValues } from './handlerResult';
import { toValueReader } from './toValueReader';
import { wireErrorOf } from '../errors/wireErrorOf';
import type { ChannelHost } from '../channel/ChannelHost';
import { TriggerRegistrationFailure, TriggerTypeHandler } from './TriggerTypeHandler';
import { WorkerMetadataOptions, workerMetadata } from './workerMetadata';

/** Options of {@link connectWorker}. */
export interface WorkerOptions extends Omit<ConnectionOptions, 'replay' | 'afterFlush'>, WorkerMetadataOptions {
  /** Default timeout of `trigger`; default 30 000 ms. */
  invocationTimeoutMs?: number;
  /** Most calls waiting for a result at once; default 10 000 (one more fails with code `PENDING_LIMIT`). */
  maxPendingCalls?: number;
  /**
   * Payload hook (channel refs ⇄ live ends, Observables ⇄ channels); a factory gets the worker's channel
   * host (what opening a channel needs). Default: `channelPayloadCodec(host)`, logging a failed payload
   * Observable through `logger`. Pass `identityCodec` to see payloads exactly as they travel.
   */
  payloadCodec?: PayloadCodec | ((host: ChannelHost) => PayloadCodec);
  /**
   * Handlers running at once; a call beyond it is answered at once with error code `worker_overloaded`
   * rather than piling up. Default 10 000.
   */
  maxConcurrentInvocations?: number;
  /**
   * When the socket drops, fail the calls already sent on it with InvocationError `CONNECTION_LOST` (their
   * results can never arrive: the engine halts a dropped connection's calls) instead of letting them run
   * into their timeout as the official SDK does. Calls still queued are sent after the reconnect. Default true.
   */
  failInFlightOnDisconnect?: boolean;
}

/** Options of {@link Worker.trigger}. */
export interface TriggerOptions {
  /** Give up waiting after this long (InvocationError `TIMEOUT`); default the worker's `invocationTimeoutMs`. */
  timeoutMs?: number;
  /** `'void'`: fire and forget (completes without a value once sent); `{ enqueue }`: hand to a queue. */
  action?: 'void' | { enqueue: string };
  /** Per-call metadata sidecar, delivered to the callee next to its input. */
  metadata?: unknown;
  traceparent?: string;
  baggage?: string;
}

/** What `worker.registerTrigger` takes. */
export interface TriggerRegistrationRequest {
  /** The trigger type id. */
  type: string;
  /** The function to call when it fires. */
  functionId: string;
  config?: unknown;
  metadata?: unknown;
}

/** Options of `worker.registerTriggerType`. */
export interface RegisterTriggerTypeOptions {
  trigger_request_format?: unknown;
  call_request_format?: unknown;
}

interface RegisteredFunction {
  frame: Record<string, unknown>;
  handler: FunctionHandler;
  options: RegisterFunctionOptions<any, any>;
}

interface RegisteredTriggerType {
  frame: Record<string, unknown>;
  handler: TriggerTypeHandler;
}

/**
 * An iii worker as Observables: it keeps one engine connection (reconnecting with backoff and replaying its
 * registrations), serves registered functions, calls others' functions, provides and binds triggers.
 * Create it with {@link connectWorker}.
 *
 * @example
 * ```ts
 * const worker = connectWorker('ws://127.0.0.1:49134');
 * worker.registerFunction('math::add', ({ a, b }) => a + b);
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
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly triggerTypes = new Map<string, RegisteredTriggerType>();
  private readonly triggers = new Map<string, Record<string, unknown>>();
  private readonly triggerErrors = new Subject<TriggerRegistrationFailure>();
  private readonly codec: PayloadCodec;
  private readonly logger: Logger;
  private readonly subscription = new Subscription();
  /** Handler results being awaited: unsubscribed by `close()`. */
  private readonly work = new Subscription();
  /** What the codec and streamed results need to open channels. */
  private readonly channelHost: ChannelHost;
  private closing?: Promise<void>;
  private running = 0;
  private readonly channelSockets: TrackedSocketFactory;

  constructor(
    /** The engine address the worker was given. */
    readonly url: string,
    private readonly options: WorkerOptions = {},
  ) {
    this.logger = options.logger ?? {};
    this.channelSockets = trackSockets(options.socketFactory ?? defaultSocketFactory);
    this.socketFactory = this.channelSockets.factory;
    this.pending = new PendingCalls(options.maxPendingCalls ?? 10_000, options.scheduler);
    this.triggerErrors$ = this.triggerErrors.asObservable();
    this.channelHost = {
      url,
      socketFactory: this.socketFactory,
      trigger: (functionId, payload) => this.trigger(functionId, payload),
    };
    const codec = options.payloadCodec;
    this.codec =
      codec === undefined
        ? channelPayloadCodec(this.channelHost, {
            onStreamError: (err, path) =>
              this.logger.error?.(`the Observable at ${path || '(root)'} of a payload failed: ${messageOf(err)}`, err),
          })
        : typeof codec === 'function'
          ? codec(this.channelHost)
          : codec;
    this.connection = new Connection(url, {
      ...options,
      replay: () => this.replayFrames(),
      afterFlush: () => [
        {
          type: 'invokefunction',
          function_id: ENGINE_FUNCTIONS.workersRegister,
          data: workerMetadata(options),
          action: { type: 'void' },
        },
      ],
    });
    this.frames$ = this.connection.frames$;
    this.state$ = this.connection.state$;
    this.subscription.add(this.connection.frames$.subscribe((frame) => this.dispatch(frame)));
    this.subscription.add(
      this.connection.state$.subscribe((state) => {
        if (state === 'reconnecting' && this.options.failInFlightOnDisconnect !== false) {
          const lost = this.pending.failSent(
            (functionId) =>
              new InvocationError({
                code: 'CONNECTION_LOST',
                message:
                  'the engine connection dropped while waiting for the result; the call may or may not have run',
                functionId,
              }),
          );
          if (lost > 0) this.logger.warn?.(`${lost} calls in flight failed with CONNECTION_LOST`);
        }
        if (state === 'closed') {
          // AuthError when the engine refused the token
          this.pending.failAll(
            this.connection.closeError ?? new ConnectionClosedError('the worker connection closed before the result arrived'),
          );
          this.triggerErrors.complete();
        }
      }),
    );
  }

  /** The id the engine gave the current connection (changes on every reconnect); `undefined` until registered. */
  get workerId(): string | undefined {
    return this.connection.workerId;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /**
   * Why the worker closed on its own: AuthError (code `AUTH_ERROR`) when the engine refused its token,
   * ConnectionClosedError when reconnecting gave up; undefined while alive or after `close()`.
   */
  get closeError(): Error | undefined {
    return this.connection.closeError;
  }

  /** Calls currently waiting for a result. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  /**
   * Serves a function under `id` on this worker (and on every later reconnection).
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
    if (typeof id !== 'string' || id.trim() === '') throw new RegistrationError('function id is required');
    if (this.functions.has(id)) throw new RegistrationError(`function id already registered: ${id}`);
    if (typeof handler !== 'function') throw new RegistrationError(`handler of ${id} is not a function`);
    const frame: Record<string, unknown> = { type: 'registerfunction', id };
    if (options.description !== undefined) frame.description = options.description;
    if (options.request_format !== undefined) frame.request_format = options.request_format;
    if (options.response_format !== undefined) frame.response_format = options.response_format;
    if (options.metadata !== undefined) frame.metadata = options.metadata;
    const entry: RegisteredFunction = { frame, handler: handler as FunctionHandler, options };
    this.functions.set(id, entry);
    this.sendRegistration(frame);
    return {
      id,
      unregister: () => {
        if (this.functions.get(id) !== entry) return;
        this.functions.delete(id);
        this.sendRegistration({ type: 'unregisterfunction', id });
      },
    };
  }

  /**
   * Calls `functionId` with `payload`. Cold: each subscription sends one call; the result arrives as one
   * value, then completion. Failures are InvocationError with the wire `code` (`function_not_found`,
   * `invocation_failed`, `invocation_stopped`, `TIMEOUT`, `UNKNOWN`, `CONNECTION_LOST` when the socket
   * dropped after the call went out, ...), or a local error
   * (PayloadTooLargeError, SendQueueFullError, PendingLimitError, ConnectionClosedError). Unsubscribing stops
   * waiting (nothing is cancelled on the wire). While reconnecting, the call is queued and sent after the replay.
   *
   * @example
   * ```ts
   * worker.trigger<number>('math::add', { a: 1, b: 2 }, { timeoutMs: 5_000 }).subscribe((sum) => console.log(sum));
   * worker.trigger('audit::log', { event: 'x' }, { action: 'void' }).subscribe(); // fire and forget
   * ```
   */
  trigger(functionId: string, payload: unknown, options: TriggerOptions & { action: 'void' }): Observable<void>;
  trigger<R = unknown>(functionId: string, payload?: unknown, options?: TriggerOptions): Observable<R>;
  trigger<R = unknown>(functionId: string, payload?: unknown, options: TriggerOptions = {}): Observable<R> {
    return new Observable<R>((subscriber) => {
      let cancel: (() => void) | undefined;
      // the pumps of Observables in the payload: freed unless the call succeeded (then they run to their end,
      // or until close() closes their sockets)
      let scope: Subscription | undefined;
      let keep = false;
      const succeeded = () => {
        keep = true;
      };
      const send = (data: unknown) => {
        if (subscriber.closed) return;
        const frame: Record<string, unknown> = {
          type: 'invokefunction',
          function_id: functionId,
          data: data === undefined ? null : data,
        };
        if (options.metadata !== undefined) frame.metadata = options.metadata;
        if (options.traceparent !== undefined) frame.traceparent = options.traceparent;
        if (options.baggage !== undefined) frame.baggage = options.baggage;
        const action = options.action;
        if (action === 'void') {
          frame.action = { type: 'void' };
          const sent = () => {
            succeeded();
            subscriber.next(undefined as R);
            subscriber.complete();
          };
          try {
            const outcome = this.connection.send(frame, {
              stillWanted: () => !subscriber.closed,
              onFlushed: sent,
              onDropped: (err) => subscriber.error(err),
            });
            if (outcome === 'sent') sent();
          } catch (err) {
            subscriber.error(err);
          }
          return;
        }
        if (action !== undefined) frame.action = { type: 'enqueue', queue: action.enqueue };
        const invocationId = randomUUID();
        frame.invocation_id = invocationId;
        let failed = false;
        cancel = this.pending.add(
          invocationId,
          functionId,
          options.timeoutMs ?? this.options.invocationTimeoutMs ?? PROTOCOL.invocationTimeoutMs,
          {
            result: (result) => {
              if (!result.error) succeeded();
              this.settle(result, functionId, subscriber);
            },
            error: (err) => {
              failed = true;
              subscriber.error(err);
            },
          },
        );
        if (failed) return;
        try {
          const outcome = this.connection.send(frame, {
            stillWanted: () => this.pending.has(invocationId),
            onFlushed: () => this.pending.markSent(invocationId),
            onDropped: (err) => subscriber.error(err),
          });
          if (outcome === 'sent') this.pending.markSent(invocationId);
        } catch (err) {
          cancel?.();
          subscriber.error(err);
        }
      };
      if (this.codec === identityCodec || this.codec.needsEncoding?.(payload) === false) {
        send(payload);
      } else {
        scope = new Subscription();
        this.codec.encode(payload, scope).then(send, (err) => subscriber.error(err));
      }
      return () => {
        cancel?.();
        if (!keep) scope?.unsubscribe();
      };
    });
  }

  /**
   * Calls a streaming function (one registered with `{ stream: true }`, or any function whose result is a
   * channel reader of a value stream) and emits its values. Cold: subscribing makes the call; the
   * Observable completes when the stream's end record arrives, errors with `StreamError` (the producer's
   * code and message) when the producer failed, `StreamTruncatedError` when the stream was cut off, or the
   * call's own error. Unsubscribing cancels the wait for the result or closes the channel, which stops the
   * producer.
   *
   * @example
   * ```ts
   * worker.stream<number>('numbers::squares', { upTo: 5 }).subscribe((n) => console.log(n)); // 1 4 9 16 25
   * ```
   */
  stream<T = unknown>(functionId: string, payload?: unknown, options: Omit<TriggerOptions, 'action'> = {}): Observable<T> {
    return this.trigger<unknown>(functionId, payload, options).pipe(
      switchMap((result) => toValueReader(result, this.url, this.socketFactory, functionId).values$() as Observable<T>),
    );
  }

  /**
   * Declares this worker the provider of trigger type `id`: the engine forwards every binding of that type
   * to `handler`. Replayed on reconnect.
   *
   * @throws RegistrationError for an empty id or one already provided here
   * @example
   * ```ts
   * worker.registerTriggerType('cron', 'fires on a schedule', {
   *   registerTrigger: (t) => schedule(t.id, t.config, () => worker.trigger(t.functionId, {}, { action: 'void' }).subscribe()),
   *   unregisterTrigger: (t) => unschedule(t.id),
   * });
   * ```
   */
  registerTriggerType(
    id: string,
    description: string,
    handler: TriggerTypeHandler,
    options: RegisterTriggerTypeOptions = {},
  ): Registration {
    if (typeof id !== 'string' || id.trim() === '') throw new RegistrationError('trigger type id is required');
    if (this.triggerTypes.has(id)) throw new RegistrationError(`trigger type already registered: ${id}`);
    const frame: Record<string, unknown> = { type: 'registertriggertype', id, description: description ?? '' };
    if (options.trigger_request_format !== undefined) frame.trigger_request_format = options.trigger_request_format;
    if (options.call_request_format !== undefined) frame.call_request_format = options.call_request_format;
    const entry = { frame, handler };
    this.triggerTypes.set(id, entry);
    this.sendRegistration(frame);
    return {
      id,
      unregister: () => {
        if (this.triggerTypes.get(id) !== entry) return;
        this.triggerTypes.delete(id);
        this.sendRegistration({ type: 'unregistertriggertype', id, description: description ?? '' });
      },
    };
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
    if (!request || typeof request.type !== 'string' || request.type === '') {
      throw new RegistrationError('trigger type is required');
    }
    if (typeof request.functionId !== 'string' || request.functionId === '') {
      throw new RegistrationError('trigger functionId is required');
    }
    const id = randomUUID();
    const frame: Record<string, unknown> = {
      type: 'registertrigger',
      id,
      trigger_type: request.type,
      function_id: request.functionId,
      config: request.config === undefined ? null : request.config,
    };
    if (request.metadata !== undefined) frame.metadata = request.metadata;
    this.triggers.set(id, frame);
    this.sendRegistration(frame);
    return {
      id,
      unregister: () => {
        if (!this.triggers.delete(id)) return;
        this.sendRegistration({ type: 'unregistertrigger', id, trigger_type: request.type });
      },
    };
  }

  /**
   * Closes the worker: pending calls fail with ConnectionClosedError (code `CONNECTION_CLOSED`), the socket
   * is closed, nothing reconnects. Resolves once every socket it opened is closed; idempotent.
   *
   * @example
   * ```ts
   * await worker.close();
   * ```
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.closing = Promise.all([
        this.connection.close(),
        this.channelSockets.closeAll(1001, 'worker_closed'),
      ]).then(() => {
        this.pending.failAll(new ConnectionClosedError('the worker was closed'));
        this.work.unsubscribe();
        this.subscription.unsubscribe();
      });
    }
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
   * const digest = worker.trigger('files::sha256', { input: readerRef });
   * await lastValueFrom(writer.write(createReadStream('big.iso')));
   * console.log(await firstValueFrom(digest));
   * ```
   */
  createChannel(options?: CreateChannelOptions): Observable<Channel> {
    return createChannel(this, options);
  }

  private replayFrames(): object[] {
    const frames: object[] = [];
    for (const { frame } of this.triggerTypes.values()) frames.push(frame);
    for (const { frame } of this.functions.values()) frames.push(frame);
    for (const frame of this.triggers.values()) frames.push(frame);
    return frames;
  }

  /** Sends a registration now if connected; otherwise it is part of the next replay. */
  private sendRegistration(frame: object): void {
    try {
      this.connection.send(frame, { whenClosed: 'skip' });
    } catch (err) {
      if (!(err instanceof ConnectionClosedError)) throw err;
    }
  }

  /** Sends a reply frame, logging what cannot be sent (nobody else can be told). */
  private reply(frame: object): void {
    try {
      this.connection.send(frame);
    } catch (err) {
      if (err instanceof ConnectionClosedError) {
        this.logger.debug?.('a reply was not sent because the worker is closed', err);
      } else {
        throw err;
      }
    }
  }

  private dispatch(frame: Frame): void {
    switch (frame.type) {
      case 'invocationresult':
        this.pending.resolve(frame);
        break;
      case 'invokefunction':
        this.serve(frame).catch((err) => this.logger.error?.('failed to answer an invocation', err));
        break;
      case 'registertrigger':
        this.provideTrigger(frame).catch((err) => this.logger.error?.('failed to answer a trigger registration', err));
        break;
      case 'unregistertrigger':
        this.removeTrigger(frame).catch((err) => this.logger.error?.('failed to unregister a trigger', err));
        break;
      case 'triggerregistrationresult':
        this.onTriggerResult(frame);
        break;
      case 'error':
        this.logger.error?.('the engine reported an error (it usually closes the socket next)', frame.error);
        break;
      case 'registrationrejected':
        this.logger.warn?.(`the engine rejected a registration: ${frame.code}`, frame);
        break;
      default:
        break;
    }
  }

  private settle<R>(frame: InvocationResultFrame, functionId: string, subscriber: Subscriber<R>): void {
    if (frame.error) {
      const body = toErrorBody(frame.error);
      subscriber.error(
        new InvocationError({ code: body.code, message: body.message, functionId, stacktrace: body.stacktrace }),
      );
      return;
    }
    let value: unknown;
    try {
      value = this.codec === identityCodec ? frame.result : this.codec.decode(frame.result);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    subscriber.next(value as R);
    subscriber.complete();
  }

  private async serve(frame: InvokeFunctionFrame): Promise<void> {
    const invocationId = frame.invocation_id ?? undefined;
    const functionId = frame.function_id;
    const answer = (body: { result?: unknown; error?: ErrorBody }) => {
      if (invocationId === undefined) {
        if (body.error) this.logger.warn?.(`void call of ${functionId} failed: ${body.error.message}`, body.error);
        return;
      }
      const reply: Record<string, unknown> = { type: 'invocationresult', invocation_id: invocationId, function_id: functionId };
      if (body.error) reply.error = body.error;
      else if (body.result !== undefined) reply.result = body.result;
      if (frame.traceparent) reply.traceparent = frame.traceparent;
      if (frame.baggage) reply.baggage = frame.baggage;
      try {
        this.reply(reply);
      } catch (err) {
        // the answer could not be sent (too large, not JSON, queue full): tell the caller rather than let it time out
        this.logger.warn?.(`the answer to ${functionId} could not be sent: ${messageOf(err)}`, err);
        if (body.error) return;
        try {
          this.reply({ type: 'invocationresult', invocation_id: invocationId, function_id: functionId, error: failure(err) });
        } catch (again) {
          this.logger.error?.(`the failure of ${functionId} could not be sent either: ${messageOf(again)}`, again);
        }
      }
    };
    const fn = this.functions.get(functionId);
    if (!fn) {
      answer({ error: { code: 'function_not_found', message: 'Function not found' } });
      return;
    }
    const limit = this.options.maxConcurrentInvocations ?? 10_000;
    if (this.running >= limit) {
      answer({
        error: {
          code: 'worker_overloaded',
          message: `${this.running} invocations are already running on this worker (maxConcurrentInvocations)`,
        },
      });
      return;
    }
    this.running++;
    try {
      await this.run(fn, frame, invocationId, answer);
    } finally {
      this.running--;
    }
  }

  private async run(
    fn: RegisteredFunction,
    frame: InvokeFunctionFrame,
    invocationId: string | undefined,
    answer: (body: { result?: unknown; error?: ErrorBody }) => void,
  ): Promise<void> {
    const functionId = frame.function_id;
    let input: unknown = frame.data;
    try {
      if (this.codec !== identityCodec) input = this.codec.decode(input);
    } catch (err) {
      const path = err instanceof DecodeError && err.path ? ` at ${err.path}` : '';
      answer({ error: { ...failure(err, `invalid input for ${functionId}${path}: `), code: 'invalid_input' } });
      return;
    }
    if (fn.options.input) {
      const decoded = fn.options.input.decode(input);
      if (isLeft(decoded)) {
        const { path, message } = describeErrors(decoded.left);
        answer({
          error: { code: 'invalid_input', message: `invalid input for ${functionId} at ${path || '(root)'}: ${message}` },
        });
        return;
      }
      input = decoded.right;
    }
    const data = frame.data as Record<string, unknown> | null;
    const caller =
      data !== null && typeof data === 'object' && !Array.isArray(data) && typeof data._caller_worker_id === 'string'
        ? data._caller_worker_id
        : undefined;
    const context: FunctionContext = {
      invocationId: invocationId ?? '',
      functionId,
      metadata: frame.metadata ?? undefined,
      traceparent: frame.traceparent ?? undefined,
      baggage: frame.baggage ?? undefined,
      callerWorkerId: caller,
      worker: this,
    };
    let result: unknown;
    try {
      const raw = fn.handler(input, context);
      if (fn.options.stream) {
        const output = fn.options.output;
        const values$ = output
          ? handlerValues(raw).pipe(map((value) => encodeOutput(output, value, functionId)))
          : handlerValues(raw);
        result = await streamResult(this.channelHost, values$, {
          onSourceError: (err) => this.logger.error?.(`the stream of ${functionId} failed: ${messageOf(err)}`, err),
          onError: (err) => this.logger.debug?.(`the stream of ${functionId} ended early: ${messageOf(err)}`, err),
        });
      } else {
        result = await this.single(handlerResult(raw, functionId));
        if (fn.options.output) result = encodeOutput(fn.options.output, result, functionId);
        if (this.codec !== identityCodec && this.codec.needsEncoding?.(result) !== false) {
          result = await this.codec.encode(result);
        }
      }
    } catch (err) {
      answer({ error: failure(err) });
      return;
    }
    answer({ result });
  }

  /** The one value of a handler's result; unsubscribed (and rejected) when the worker closes first. */
  private single(result$: Observable<unknown>): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const sub = result$.subscribe({
        next: (value) => {
          settled = true;
          resolve(value);
        },
        error: (err) => {
          settled = true;
          reject(err);
        },
      });
      if (sub.closed) return;
      this.work.add(sub);
      sub.add(() => {
        this.work.remove(sub);
        if (!settled) reject(new ConnectionClosedError('the worker closed while the handler was running'));
      });
    });
  }

  private async provideTrigger(frame: RegisterTriggerFrame): Promise<void> {
    const base = { type: 'triggerregistrationresult', id: frame.id, trigger_type: frame.trigger_type, function_id: frame.function_id };
    const provider = this.triggerTypes.get(frame.trigger_type);
    if (!provider) {
      this.reply({ ...base, error: { code: 'trigger_type_not_found', message: 'Trigger type not found' } });
      return;
    }
    try {
      await settleAny(
        provider.handler.registerTrigger({
          id: frame.id,
          triggerType: frame.trigger_type,
          functionId: frame.function_id,
          config: frame.config ?? null,
          metadata: frame.metadata ?? undefined,
        }),
      );
    } catch (err) {
      this.reply({ ...base, error: { code: 'trigger_registration_failed', message: messageOf(err) } });
      return;
    }
    this.reply(base);
  }

  private async removeTrigger(frame: UnregisterTriggerFrame): Promise<void> {
    const type = frame.trigger_type ?? undefined;
    if (!type) return;
    const provider = this.triggerTypes.get(type);
    if (!provider) return;
    try {
      await settleAny(
        provider.handler.unregisterTrigger({ id: frame.id, triggerType: type, functionId: '', config: undefined }),
      );
    } catch (err) {
      this.logger.error?.(`unregistering trigger ${frame.id} failed: ${messageOf(err)}`, err);
    }
  }

  private onTriggerResult(frame: TriggerRegistrationResultFrame): void {
    if (!frame.error) return;
    const body = toErrorBody(frame.error);
    const failure: TriggerRegistrationFailure = {
      id: frame.id,
      triggerType: frame.trigger_type ?? undefined,
      functionId: frame.function_id ?? undefined,
      code: body.code,
      message: body.message,
    };
    this.logger.error?.(
      `trigger registration ${frame.id} (${failure.triggerType ?? '?'}) failed: ${body.code}: ${body.message}`,
      failure,
    );
    this.triggerErrors.next(failure);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The wire error for a failed handler (PROTOCOL.md §4.3): an `IiiRxError`'s own code, otherwise
 * `invocation_failed`; never a `null` stacktrace.
 */
function failure(err: unknown, prefix = ''): ErrorBody {
  const { code, message } = wireErrorOf(err, 'invocation_failed');
  const body: ErrorBody = { code, message: prefix + message };
  if (err instanceof Error && typeof err.stack === 'string') body.stacktrace = err.stack;
  return body;
}

function encodeOutput(codec: NonNullable<RegisterFunctionOptions['output']>, value: unknown, functionId: string): unknown {
  if (codec.is(value)) return codec.encode(value);
  const decoded = codec.decode(value);
  if (isLeft(decoded)) {
    const { path, message } = describeErrors(decoded.left);
    // the callee's own bug: the caller sees invocation_failed, not a decode error of its input
    throw new IiiRxError('invocation_failed', `invalid result of ${functionId} at ${path || '(root)'}: ${message}`);
  }
  return codec.encode(decoded.right);
}

async function settleAny(value: unknown): Promise<unknown> {
  if (isObservable(value)) return lastValueFrom(value, { defaultValue: undefined });
  return value;
}
