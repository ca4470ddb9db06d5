/** Details attached to one engine log entry (connection ids, frame types, reasons). */
export type EngineLogDetails = Record<string, unknown>;

/**
 * Logging hook of the embedded engine. Every method is optional; a missing one is silent.
 * The engine reports connections, registrations, and every frame it drops or cannot decode.
 *
 * @example
 * ```ts
 * const engine = await startEngine({ logger: { warn: (msg, d) => myLog.warn(msg, d) } });
 * ```
 */
export interface EngineLogger {
  debug?(message: string, details?: EngineLogDetails): void;
  info?(message: string, details?: EngineLogDetails): void;
  warn?(message: string, details?: EngineLogDetails): void;
  error?(message: string, details?: EngineLogDetails): void;
}

/** An {@link EngineLogger} whose four methods always exist and never throw. */
export interface EngineLog {
  debug(message: string, details?: EngineLogDetails): void;
  info(message: string, details?: EngineLogDetails): void;
  warn(message: string, details?: EngineLogDetails): void;
  error(message: string, details?: EngineLogDetails): void;
}

/**
 * Wraps a user logger so the engine can call every level unconditionally; a throwing hook is swallowed
 * (a logger must never break frame processing).
 *
 * @example
 * ```ts
 * const log = toEngineLog(undefined); // silent
 * log.warn('dropped frame', { reason: 'invalid JSON' });
 * ```
 */
export function toEngineLog(logger: EngineLogger | undefined): EngineLog {
  const level =
    (name: keyof EngineLogger) =>
    (message: string, details?: EngineLogDetails): void => {
      const fn = logger?.[name];
      if (typeof fn !== 'function') return;
      try {
        fn.call(logger, message, details);
      } catch {
        // a broken logger is not the engine's problem
      }
    };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}
