import type { ErrorBody } from '../../protocol/ErrorBody';
import type { WorkerPeer } from '../WorkerPeer';
import type { BuiltinOutcome } from './BuiltinOutcome';
export type { BuiltinOutcome };

/** Who called a built-in: the calling connection (absent for engine-internal calls). */
export interface BuiltinCallContext {
  caller?: WorkerPeer;
  /** The exact JSON text of the call's `data` when `JSON.parse` rounded an integer in it (beyond 2^53). */
  exactData?: { readonly text: string };
}

/**
 * A function served by the engine itself (`engine::…`), answered synchronously without a worker.
 *
 * @example
 * ```ts
 * const echo: BuiltinFunction = { id: 'engine::echo', description: 'echo', invoke: (data) => ({ result: data }) };
 * ```
 */
export interface BuiltinFunction {
  id: string;
  description: string;
  /**
   * The upstream in-process module that provides it (its `worker_name`, PROTOCOL.md §10.5). Default
   * `iii-engine-functions`.
   */
  module?: string;
  /** Answers at once, or later (a promise) when it waits for a worker, e.g. `engine::register_trigger`. */
  invoke(data: unknown, context: BuiltinCallContext): BuiltinOutcome | Promise<BuiltinOutcome>;
}

/** The module of the `engine::functions|workers|triggers|registered-triggers|channels` built-ins. */
export const ENGINE_FUNCTIONS_MODULE = 'iii-engine-functions';
/** The module of `engine::log::*` and `engine::baggage::*`. */
export const OBSERVABILITY_MODULE = 'iii-observability';

/**
 * The error a built-in gives for input it cannot read (PROTOCOL.md §4.3).
 *
 * @example
 * ```ts
 * deserializationError('engine::channels::create', 'buffer_size: invalid type: floating point `1.5`');
 * ```
 */
export function deserializationError(functionId: string, detail: string): { error: ErrorBody } {
  return {
    error: { code: 'deserialization_error', message: `Failed to deserialize input for ${functionId}: ${detail}` },
  };
}
