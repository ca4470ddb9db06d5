/**
 * Where iii-rx reports what it cannot throw: malformed inbound frames, reconnects, failures of
 * fire-and-forget work. Every method is optional; leave the hook out to stay silent.
 *
 * @example
 * ```ts
 * const worker = connectWorker(url, { logger: { warn: (msg, details) => myLog.warn(msg, details) } });
 * ```
 */
export interface Logger {
  debug?(message: string, details?: unknown): void;
  info?(message: string, details?: unknown): void;
  warn?(message: string, details?: unknown): void;
  error?(message: string, details?: unknown): void;
}
