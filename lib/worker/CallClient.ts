import { randomUUID } from 'node:crypto';
import { Observable, Subscriber, Subscription, switchMap } from 'rxjs';
import { identityCodec, PayloadCodec } from '../codec/PayloadCodec';
import type { Connection } from '../connection/Connection';
import { InvocationError } from '../errors/InvocationError';
import { toErrorBody } from '../protocol/ErrorBody';
import type { InvocationResultFrame } from '../protocol/Frame';
import { invokeFunctionFrame } from '../protocol/OutboundFrame';
import type { SocketFactory } from '../socket/SocketLike';
import { PendingCalls } from './PendingCalls';
import { toValueReader } from './toValueReader';

/** Options of {@link CallClient.trigger}. */
export interface TriggerOptions {
  /** Give up waiting after this long (InvocationError `TIMEOUT`); default the worker's `invocationTimeoutMs`. */
  timeoutMs?: number;
  /** `'void'`: fire and forget (emits `undefined` once sent); `{ enqueue }`: hand to a queue. */
  action?: 'void' | { enqueue: string };
  /** Per-call metadata sidecar, delivered to the callee next to its input. */
  metadata?: unknown;
  traceparent?: string;
  baggage?: string;
}

/** What a {@link CallClient} works with. */
export interface CallClientDeps {
  readonly connection: Connection;
  readonly codec: PayloadCodec;
  readonly pending: PendingCalls;
  /** Default timeout of a call. */
  readonly timeoutMs: number;
  /** Engine address and socket factory, to read streamed results. */
  readonly url: string;
  readonly socketFactory: SocketFactory;
}

/**
 * The calling side of a worker: each call is a cold Observable that encodes its payload (Observables in it
 * start pumping into channels owned by the call), registers a pending entry with its timeout, sends the
 * `invokefunction` frame and emits the decoded result. Tearing the call down before its result (unsubscribe,
 * timeout, failure) frees the entry and stops the payload pumps, closing their channels.
 *
 * @example
 * ```ts
 * const calls = new CallClient({ connection, codec, pending, timeoutMs: 30_000, url, socketFactory });
 * calls.trigger<number>('math::add', { a: 1, b: 2 }).subscribe(console.log); // 3
 * ```
 */
export class CallClient {
  constructor(private readonly deps: CallClientDeps) {}

  /** See `Worker.trigger`. */
  trigger<R>(functionId: string, payload: unknown, options: TriggerOptions = {}): Observable<R> {
    const { codec } = this.deps;
    return new Observable<R>((subscriber) => {
      let cancel: (() => void) | undefined;
      // the pumps of Observables in the payload: freed unless the call succeeded (then they run to their end,
      // or until the worker closes their sockets)
      let scope: Subscription | undefined;
      let keep = false;
      const send = (data: unknown) => {
        if (subscriber.closed) return;
        if (options.action === 'void') this.sendVoid(functionId, data, options, subscriber, () => (keep = true));
        else cancel = this.sendCall(functionId, data, options, subscriber, () => (keep = true));
      };
      if (codec === identityCodec || codec.needsEncoding?.(payload) === false) {
        send(payload);
      } else {
        scope = new Subscription();
        codec.encode(payload, scope).then(send, (err) => subscriber.error(err));
      }
      return () => {
        cancel?.();
        if (!keep) scope?.unsubscribe();
      };
    });
  }

  /**
   * The socket dropped: the calls already sent on it fail with InvocationError `CONNECTION_LOST` (the engine
   * halts a dropped connection's calls, so their results can never arrive); queued calls keep waiting.
   * Returns how many failed.
   */
  connectionLost(): number {
    return this.deps.pending.failSent(
      (functionId) =>
        new InvocationError({
          code: 'CONNECTION_LOST',
          message: 'the engine connection dropped while waiting for the result; the call may or may not have run',
          functionId,
        }),
    );
  }

  /** See `Worker.stream`. */
  stream<T>(functionId: string, payload: unknown, options: Omit<TriggerOptions, 'action'> = {}): Observable<T> {
    const { url, socketFactory } = this.deps;
    return this.trigger<unknown>(functionId, payload, options).pipe(
      switchMap((result) => toValueReader(result, url, socketFactory, functionId).values$() as Observable<T>),
    );
  }

  private sendVoid(functionId: string, data: unknown, options: TriggerOptions, subscriber: Subscriber<any>, succeeded: () => void): void {
    const frame = invokeFunctionFrame({
      function_id: functionId,
      data,
      action: { type: 'void' },
      metadata: options.metadata,
      traceparent: options.traceparent,
      baggage: options.baggage,
    });
    // unsubscribing the call before the frame left drops it from the send queue
    subscriber.add(
      this.deps.connection.send$(frame).subscribe({
        error: (err) => subscriber.error(err),
        complete: () => {
          succeeded();
          subscriber.next(undefined);
          subscriber.complete();
        },
      }),
    );
  }

  /** Sends a call that waits for its result; returns what frees its pending entry. */
  private sendCall<R>(
    functionId: string,
    data: unknown,
    options: TriggerOptions,
    subscriber: Subscriber<R>,
    succeeded: () => void,
  ): (() => void) | undefined {
    const { pending, connection } = this.deps;
    const action = options.action;
    const invocationId = randomUUID();
    const frame = invokeFunctionFrame({
      function_id: functionId,
      data,
      invocation_id: invocationId,
      action: action === undefined || action === 'void' ? undefined : { type: 'enqueue', queue: action.enqueue },
      metadata: options.metadata,
      traceparent: options.traceparent,
      baggage: options.baggage,
    });
    let failed = false;
    const cancel = pending.add(invocationId, functionId, options.timeoutMs ?? this.deps.timeoutMs, {
      result: (result) => {
        if (!result.error) succeeded();
        this.settle(result, functionId, subscriber);
      },
      error: (err) => {
        failed = true;
        subscriber.error(err);
      },
    });
    if (failed) return undefined;
    // the callback form of connection.send$ (this is the hot path of every call): once handed to the
    // socket the call counts as sent (CONNECTION_LOST on a drop); a queued frame whose call went away is not sent
    try {
      const outcome = connection.send(frame, {
        stillWanted: () => pending.has(invocationId),
        onFlushed: () => pending.markSent(invocationId),
        onDropped: (err) => subscriber.error(err),
      });
      if (outcome === 'sent') pending.markSent(invocationId);
    } catch (err) {
      cancel();
      subscriber.error(err);
      return undefined;
    }
    return cancel;
  }

  private settle<R>(frame: InvocationResultFrame, functionId: string, subscriber: Subscriber<R>): void {
    if (frame.error) {
      const body = toErrorBody(frame.error);
      subscriber.error(new InvocationError({ code: body.code, message: body.message, functionId, stacktrace: body.stacktrace }));
      return;
    }
    let value: unknown;
    try {
      value = this.deps.codec === identityCodec ? frame.result : this.deps.codec.decode(frame.result);
    } catch (err) {
      subscriber.error(err);
      return;
    }
    subscriber.next(value as R);
    subscriber.complete();
  }
}
