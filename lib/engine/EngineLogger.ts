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

/** Longest string value a log entry keeps whole (ids, reasons and other text that may come from a peer). */
const MAX_LOGGED_STRING = 1024;

/** The details with every top-level string over {@link MAX_LOGGED_STRING} characters cut, saying how much was cut. */
function truncateStrings(details: EngineLogDetails): EngineLogDetails {
  let out: EngineLogDetails | undefined;
  for (const [key, value] of Object.entries(details)) {
    if (typeof value === 'string' && value.length > MAX_LOGGED_STRING) {
      out ??= { ...details };
      out[key] = `${value.slice(0, MAX_LOGGED_STRING)}…(+${value.length - MAX_LOGGED_STRING} chars)`;
    }
  }
  return out ?? details;
}

/**
 * Wraps a user logger so the engine can call every level unconditionally; a throwing hook is swallowed
 * (a logger must never break frame processing). String details longer than 1,024 characters are cut, so
 * a peer's 8 MiB id never reaches a log in full.
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
        fn.call(logger, message, details && truncateStrings(details));
      } catch {
        // a broken logger is not the engine's problem
      }
    };
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}
