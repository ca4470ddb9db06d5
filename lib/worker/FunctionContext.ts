import * as t from 'io-ts';
import { Observable } from 'rxjs';
import type { Worker } from './Worker';

/**
 * What a function handler learns about the call besides its input.
 *
 * `callerWorkerId` is read from the `_caller_worker_id` key the engine adds to object inputs
 * (PROTOCOL.md §4.2). The input is handed over exactly as sent: that key is **not** removed from it.
 */
export interface FunctionContext {
  /** The id of this call (always present: the engine mints one even for void calls). */
  invocationId: string;
  /** The function being called. */
  functionId: string;
  /** The per-call `metadata` sidecar, `undefined` when absent. */
  metadata: unknown;
  /** W3C trace context of the call, if any. */
  traceparent?: string;
  baggage?: string;
  /** The calling worker's id, when the engine supplied one. */
  callerWorkerId?: string;
  /** The worker serving the call, e.g. to trigger other functions. */
  worker: Worker;
}

/**
 * A function implementation. Returns a value, a Promise, or an Observable. The result's shape follows from
 * the registration, never from how many values were emitted:
 *
 * - by default the result is one value: an Observable's single value (`undefined` if it completed empty;
 *   a second value fails the call, as `single` does);
 * - registered with `{ stream: true }`, the result is always a channel reader ref whose value stream
 *   carries every value (0, 1 or millions), ending with its end record.
 *
 * Throwing or erroring with an `IiiRxError` (e.g. `InvocationError`) answers the caller with its `code`
 * and message; any other error answers `invocation_failed`.
 */
export type FunctionHandler<I = unknown, O = unknown> = (
  input: I,
  context: FunctionContext,
) => O | Promise<O> | Observable<O>;

/** Options of `worker.registerFunction`. */
export interface RegisterFunctionOptions<I = unknown, O = unknown> {
  /** Validates the (decoded) input before the handler runs; a failure answers `invalid_input` naming the path. */
  input?: t.Type<I, unknown, unknown>;
  /** Validates and encodes the handler's result (each value, for a stream). */
  output?: t.Type<O, unknown, unknown>;
  /**
   * The function streams: its result is always a channel reader ref carrying every value the handler's
   * Observable emits (a Promise or plain value: one value), pumped with backpressure and ended by the end
   * record (`error` with the handler's code and message when it fails). Call it with `worker.stream()`.
   */
  stream?: boolean;
  /** Sent in `registerfunction`. */
  description?: string;
  metadata?: unknown;
  request_format?: unknown;
  response_format?: unknown;
}

/** A registration that can be taken back. */
export interface Registration {
  readonly id: string;
  /** Removes it locally and from the engine; idempotent. */
  unregister(): void;
}
