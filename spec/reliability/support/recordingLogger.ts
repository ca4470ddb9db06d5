import type { EngineLogDetails, EngineLogger } from '../../../lib/engine/EngineLogger';

/** One engine log entry. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  details?: EngineLogDetails;
}

/** An engine logger that keeps every entry, for tests that count what the engine reported. */
export function recordingLogger(): { logger: EngineLogger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, details?: EngineLogDetails) => {
    entries.push({ level, message, details });
  };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, entries };
}
