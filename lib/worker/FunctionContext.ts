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
 * A function implementation. Returns a value, a Promise, or an Observable (one value ⇒ that value, empty ⇒
 * `undefined`, more than one ⇒ handed to the worker's `resultStreamer`). Throwing or erroring answers the
 * caller with `invocation_failed`.
 */
export type FunctionHandler<I = any, O = unknown> = (
  input: I,
  context: FunctionContext,
) => O | Promise<O> | Observable<O>;

/** Options of `worker.registerFunction`. */
export interface RegisterFunctionOptions<I = unknown, O = unknown> {
  /** Validates the (decoded) input before the handler runs; a failure answers `invocation_failed` naming the path. */
  input?: t.Type<I, any, unknown>;
  /** Validates and encodes the handler's result. */
  output?: t.Type<O, any, unknown>;
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
