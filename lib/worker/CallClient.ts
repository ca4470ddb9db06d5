import { randomUUID } from '../protocol/randomUUID';
import { Observable, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import type { ChannelReader } from '../channel/ChannelReader';
import { releaseChannelEnd } from '../codec/releaseChannelEnd';
import { identityCodec, PayloadCodec } from '../codec/PayloadCodec';
import type { Connection, SendOptions } from '../connection/Connection';
import { InvocationError } from '../errors/InvocationError';
import { toErrorBody } from '../protocol/ErrorBody';
import type { InvocationResultFrame } from '../protocol/Frame';
import { invokeFunctionFrame } from '../protocol/OutboundFrame';
import type { SocketFactory } from '../socket/SocketLike';
import { PendingCallbacks, PendingCalls, PendingHandle } from './PendingCalls';
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
  constructor(readonly deps: CallClientDeps) {}

  /** See `Worker.trigger`. */
  trigger<R>(functionId: string, payload: unknown, options: TriggerOptions = {}): Observable<R> {
    return new Observable<R>((subscriber) => {
      const call = new Call<R>(this, subscriber, functionId, options);
      const { codec } = this.deps;
      if (codec === identityCodec || codec.needsEncoding?.(payload) === false) {
        call.send(payload);
      } else {
        // the pumps of Observables in the payload: freed unless the call succeeded (then they run to their
        // end, or until the worker closes their sockets)
        const scope = (call.scope = new Subscription());
        codec.encode(payload, scope).then(
          (data) => call.send(data),
          (err) => subscriber.error(err),
        );
      }
      return call;
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
    return new Observable<T>((subscriber) => {
      let gone = false;
      let values: Subscription | undefined;
      // not torn down with the subscriber: a result that arrives after the unsubscribe still has its
      // channel released, which stops the producer (the call ends with its result, failure or timeout)
      this.trigger<unknown>(functionId, payload, options).subscribe({
        next: (result) => {
          let reader: ChannelReader;
          try {
            reader = toValueReader(result, url, socketFactory, functionId);
          } catch (err) {
            if (!gone) subscriber.error(err);
            return;
          }
          if (gone) releaseChannelEnd(socketFactory, reader.url);
          // an iii-rx producer's stream starts with a begin record, so the reader requires its end record
          else values = (reader.values$() as Observable<T>).subscribe(subscriber);
        },
        error: (err) => {
          if (!gone) subscriber.error(err);
        },
      });
      return () => {
        gone = true;
        values?.unsubscribe();
      };
    });
  }

  /** Sends a fire-and-forget call: emits `undefined` once the frame was handed to the socket. */
  sendVoid(functionId: string, data: unknown, options: TriggerOptions, subscriber: Subscriber<unknown>, succeeded: () => void): void {
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

  /** Sends a call that waits for its result: registers `call` as pending, then hands its frame over. */
  sendCall<R>(call: Call<R>, data: unknown): void {
    const { pending, connection } = this.deps;
    const { options, subscriber } = call;
    const action = options.action;
    const invocationId = (call.invocationId = randomUUID());
    const frame = invokeFunctionFrame({
      function_id: call.functionId,
      data,
      invocation_id: invocationId,
      action: action === undefined || action === 'void' ? undefined : { type: 'enqueue', queue: action.enqueue },
      metadata: options.metadata,
      traceparent: options.traceparent,
      baggage: options.baggage,
    });
    call.handle = pending.add(invocationId, call.functionId, options.timeoutMs ?? this.deps.timeoutMs, call);
    if (subscriber.closed) return; // refused (limit, duplicate id): already told
    // the call is its own send options (this is the hot path of every call): once handed to the socket it
    // counts as sent (CONNECTION_LOST on a drop); a queued frame whose call went away is not sent
    try {
      if (connection.send(frame, call) === 'sent') pending.markSent(invocationId);
    } catch (err) {
      call.handle.cancel();
      subscriber.error(err);
    }
  }

  /** Delivers a result frame to the call's subscriber: its decoded value, or an InvocationError. */
  settle<R>(frame: InvocationResultFrame, functionId: string, subscriber: Subscriber<R>): void {
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

/**
 * One call of {@link CallClient.trigger}, from subscription to result: it is the pending table's callbacks,
 * the send queue's options (the queue calls them as methods) and the subscription's teardown at once, so a
 * call allocates one object where closures would take seven.
 */
class Call<R> implements PendingCallbacks, SendOptions, Unsubscribable {
  invocationId = '';
  handle?: PendingHandle;
  /** Owns the pumps of Observables in the payload (only when the payload needed encoding). */
  scope?: Subscription;
  /** The call succeeded: its payload pumps run on to their end. */
  keep = false;

  constructor(
    readonly client: CallClient,
    readonly subscriber: Subscriber<R>,
    readonly functionId: string,
    readonly options: TriggerOptions,
  ) {}

  /** Sends the encoded payload (nothing if the subscriber already went away). */
  send(data: unknown): void {
    if (this.subscriber.closed) return;
    if (this.options.action === 'void') {
      this.client.sendVoid(this.functionId, data, this.options, this.subscriber, () => (this.keep = true));
    } else this.client.sendCall(this, data);
  }

  result(frame: InvocationResultFrame): void {
    if (!frame.error) this.keep = true;
    this.client.settle(frame, this.functionId, this.subscriber);
  }

  error(err: Error): void {
    this.subscriber.error(err);
  }

  stillWanted(): boolean {
    return this.client.deps.pending.has(this.invocationId);
  }

  onFlushed(): void {
    this.client.deps.pending.markSent(this.invocationId);
  }

  onDropped(err: Error): void {
    this.subscriber.error(err);
  }

  /** Teardown: frees the pending entry and, unless the call succeeded, stops the payload's pumps. */
  unsubscribe(): void {
    this.handle?.cancel();
    if (!this.keep) this.scope?.unsubscribe();
  }
}
