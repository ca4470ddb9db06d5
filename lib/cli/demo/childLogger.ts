import type { Logger } from '../../connection/Logger';

/**
 * The logger hook of a demo process: warnings and errors to stderr, prefixed with the process's role.
 *
 * @example
 * ```ts
 * connectWorker(url, { logger: childLogger('consumer') });
 * ```
 */
export function childLogger(role: string): Logger {
  const line = (level: string, message: string, details?: unknown) =>
    console.error(`[${role}] ${level}: ${message}${details instanceof Error ? ` (${details.message})` : ''}`);
  return {
    warn: (message, details) => line('warn', message, details),
    error: (message, details) => line('error', message, details),
  };
}
