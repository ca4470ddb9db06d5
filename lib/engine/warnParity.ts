import type { EngineLog } from './EngineLogger';

/** The `event` of every warning about a place where the real engine fails silently. */
export const REAL_ENGINE_PARITY = 'real_engine_parity';

/** What a parity warning names: the frame (or socket kind), the field or condition, and what upstream does. */
export interface ParityDetails {
  /** Frame `type` the warning is about (`invokefunction`, …), when it is about a frame. */
  frame?: string;
  /** Socket kind (`worker`, `otel`, `channel writer`, `channel reader`), when it is about a socket. */
  socket?: string;
  /** The field or condition (`data`, `error.code`, `size`, `close`, …). */
  field?: string;
  /** What is wrong with it (`missing`, `not a string`, …). */
  problem: string;
  /** What the real engine v0.22.1 does, in a few words. */
  real: string;
  /** The connection, when known. */
  worker_id?: string;
  channel_id?: string;
  [key: string]: unknown;
}

/**
 * Logs one `warn` for a place where the real engine fails silently (PROTOCOL.md §10.0 rule 2): the embedded
 * engine does the same on the wire, and says why in the log, so a client bug fails locally as in production.
 *
 * @example
 * ```ts
 * warnParity(log, 'dropped frame', {
 *   frame: 'invokefunction', field: 'data', problem: 'missing',
 *   real: 'frame dropped; the caller gets no reply', worker_id,
 * });
 * // log.warn('dropped frame', { event: 'real_engine_parity', frame: 'invokefunction', … })
 * ```
 */
export function warnParity(log: EngineLog, message: string, details: ParityDetails): void {
  log.warn(message, { event: REAL_ENGINE_PARITY, ...details });
}
