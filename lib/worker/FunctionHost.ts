import { isLeft } from 'fp-ts/lib/Either';
import { isObservable, map, Observable, Subscription } from 'rxjs';
import type { ChannelHost } from '../channel/ChannelHost';
import { identityCodec, PayloadCodec } from '../codec/PayloadCodec';
import { streamResult } from '../codec/streamResult';
import type { Logger } from '../connection/Logger';
import { ConnectionClosedError } from '../errors/ConnectionClosedError';
import { DecodeError } from '../errors/DecodeError';
import { IiiRxError } from '../errors/IiiRxError';
import { wireErrorOf } from '../errors/wireErrorOf';
import { describeErrors } from '../protocol/decodeFrame';
import type { ErrorBody } from '../protocol/ErrorBody';
import type { InvokeFunctionFrame } from '../protocol/Frame';
import { invocationResultFrame, OutboundFrame } from '../protocol/OutboundFrame';
import type { FunctionContext, RegisterFunctionOptions } from './FunctionContext';
import { handlerResult, handlerValues, isPromiseLike } from './handlerResult';
import type { RegisteredFunction, RegistrationTable } from './RegistrationTable';
import type { Worker } from './Worker';

/** What a {@link FunctionHost} works with. */
export interface FunctionHostDeps {
  readonly table: RegistrationTable;
  readonly codec: PayloadCodec;
  /** Opens the channels of streamed results. */
  readonly channelHost: ChannelHost;
  readonly logger: Logger;
  /** Sends an answer; throws when it cannot be sent (too large, not JSON, queue full). */
  readonly reply: (frame: OutboundFrame) => void;
  /** Handlers running at once before a call is refused with `worker_overloaded`. */
  readonly maxConcurrentInvocations: number;
  /** The worker handed to handlers in their context. */
  readonly worker: Worker;
}

type Answer = (body: { result?: unknown; error?: ErrorBody }) => void;

/** What {@link FunctionHost.serve} returns once the answer already went out. */
const DONE: Promise<void> = Promise.resolve();

/**
 * Serves the worker's functions: decodes and validates each call's input, runs its handler under the
 * concurrency limit and answers with its result in the shape the registration promises (one value, or the
 * reader ref of a value stream), or with an error whose code the handler chose (`IiiRxError.code`,
 * `invalid_input`, else `invocation_failed`). Handler results still running are unsubscribed by `close()`.
 *
 * @example
 * ```ts
 * const host = new FunctionHost({ table, codec, channelHost, logger, reply, maxConcurrentInvocations: 10_000, worker });
 * frames$.pipe(filter((f) => f.type === 'invokefunction')).subscribe((f) => host.serve(f));
 * ```
 */
export class FunctionHost {
  private running = 0;
  /** Observable handler results being awaited. */
  private readonly work = new Subscription();

  constructor(private readonly deps: FunctionHostDeps) {}

  /** Answers one `invokefunction` frame (never rejects: what cannot be answered is logged). */
  serve(frame: InvokeFunctionFrame): Promise<void> {
    const functionId = frame.function_id;
    const answer = this.answerer(frame);
    const fn = this.deps.table.functionOf(functionId);
    if (!fn) {
      answer({ error: { code: 'function_not_found', message: 'Function not found' } });
      return DONE;
    }
    if (this.running >= this.deps.maxConcurrentInvocations) {
      answer({
        error: {
          code: 'worker_overloaded',
          message: `${this.running} invocations are already running on this worker (maxConcurrentInvocations)`,
        },
      });
      return DONE;
    }
    this.running++;
    let later: Promise<void> | undefined;
    try {
      later = this.run(fn, frame, answer);
    } finally {
      if (!later) this.running--;
    }
    return later ? later.finally(() => this.running--) : DONE;
  }

  /** Unsubscribes every handler result still running. */
  close(): void {
    this.work.unsubscribe();
  }

  private answerer(frame: InvokeFunctionFrame): Answer {
    const invocationId = frame.invocation_id ?? undefined;
    const functionId = frame.function_id;
    const { logger, reply } = this.deps;
    return (body) => {
      if (invocationId === undefined) {
        if (body.error) logger.warn?.(`void call of ${functionId} failed: ${body.error.message}`, body.error);
        return;
      }
      try {
        reply(
          invocationResultFrame({
            invocation_id: invocationId,
            function_id: functionId,
            result: body.result,
            error: body.error,
            traceparent: frame.traceparent ?? undefined,
            baggage: frame.baggage ?? undefined,
          }),
        );
      } catch (err) {
        // the answer could not be sent (too large, not JSON, queue full): tell the caller rather than let it time out
        logger.warn?.(`the answer to ${functionId} could not be sent: ${messageOf(err)}`, err);
        if (body.error) return;
        try {
          reply(invocationResultFrame({ invocation_id: invocationId, function_id: functionId, error: failure(err) }));
        } catch (again) {
          logger.error?.(`the failure of ${functionId} could not be sent either: ${messageOf(again)}`, again);
        }
      }
    };
  }

  /**
   * Runs the handler and answers: at once when it returned a plain value (the common case costs no
   * promise), otherwise the returned promise settles once the answer is sent.
   */
  private run(fn: RegisteredFunction, frame: InvokeFunctionFrame, answer: Answer): Promise<void> | undefined {
    const { codec } = this.deps;
    const functionId = frame.function_id;
    let input: unknown = frame.data;
    try {
      if (codec !== identityCodec) input = codec.decode(input);
    } catch (err) {
      const path = err instanceof DecodeError && err.path ? ` at ${err.path}` : '';
      answer({ error: { ...failure(err, `invalid input for ${functionId}${path}: `), code: 'invalid_input' } });
      return undefined;
    }
    if (fn.options.input) {
      const decoded = fn.options.input.decode(input);
      if (isLeft(decoded)) {
        const { path, message } = describeErrors(decoded.left);
        answer({
          error: { code: 'invalid_input', message: `invalid input for ${functionId} at ${path || '(root)'}: ${message}` },
        });
        return undefined;
      }
      input = decoded.right;
    }
    let raw: unknown;
    try {
      raw = fn.handler(input, this.contextOf(frame));
      if (!fn.options.stream && !isObservable(raw) && !isPromiseLike(raw)) {
        const result = fn.options.output ? encodeOutput(fn.options.output, raw, functionId) : raw;
        // a value the payload codec must encode (channel ends, Observables in it) takes the async path
        if (codec === identityCodec || codec.needsEncoding?.(result) === false) {
          answer({ result });
          return undefined;
        }
      }
    } catch (err) {
      answer({ error: failure(err) });
      return undefined;
    }
    return this.answerLater(fn, functionId, raw, answer);
  }

  /** Answers with what a handler's Promise or Observable gives (or the channel of its stream). */
  private async answerLater(fn: RegisteredFunction, functionId: string, raw: unknown, answer: Answer): Promise<void> {
    const { codec, logger } = this.deps;
    let result: unknown;
    try {
      if (fn.options.stream) {
        const output = fn.options.output;
        const values$ = output
          ? handlerValues(raw).pipe(map((value) => encodeOutput(output, value, functionId)))
          : handlerValues(raw);
        result = await streamResult(this.deps.channelHost, values$, {
          onSourceError: (err) => logger.error?.(`the stream of ${functionId} failed: ${messageOf(err)}`, err),
          onError: (err) => logger.debug?.(`the stream of ${functionId} ended early: ${messageOf(err)}`, err),
        });
      } else {
        result = isObservable(raw) ? await this.single(handlerResult(raw, functionId)) : await raw;
        if (fn.options.output) result = encodeOutput(fn.options.output, result, functionId);
        if (codec !== identityCodec && codec.needsEncoding?.(result) !== false) result = await codec.encode(result);
      }
    } catch (err) {
      answer({ error: failure(err) });
      return;
    }
    answer({ result });
  }

  private contextOf(frame: InvokeFunctionFrame): FunctionContext {
    const data = frame.data as Record<string, unknown> | null;
    const caller =
      data !== null && typeof data === 'object' && !Array.isArray(data) && typeof data._caller_worker_id === 'string'
        ? data._caller_worker_id
        : undefined;
    return {
      invocationId: frame.invocation_id ?? '',
      functionId: frame.function_id,
      metadata: frame.metadata ?? undefined,
      traceparent: frame.traceparent ?? undefined,
      baggage: frame.baggage ?? undefined,
      callerWorkerId: caller,
      worker: this.deps.worker,
    };
  }

  /** The one value of a handler's Observable result; unsubscribed (and rejected) when the host closes first. */
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
