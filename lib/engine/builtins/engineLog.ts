import type { EngineLog } from '../EngineLogger';
import { BuiltinFunction, OBSERVABILITY_MODULE } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

/** The levels of `engine::log::<level>`. */
export const ENGINE_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;

/**
 * `engine::log::trace|debug|info|warn|error` `{message, data?, trace_id?, span_id?, service_name?}`: prints the
 * message through the engine's logger (trace and debug at debug level) and replies without a `result`
 * (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * engineLog(log).find((b) => b.id === 'engine::log::info')!.invoke({ message: 'hello' }, {}); // { result: undefined }
 * ```
 */
export function engineLog(log: EngineLog): BuiltinFunction[] {
  return ENGINE_LOG_LEVELS.map((level) => {
    const id = `engine::log::${level}`;
    return {
      id,
      module: OBSERVABILITY_MODULE,
      description: `Log a ${level} message`,
      invoke(data, context) {
        const read = readBuiltinInput(id, 'LogInput', [
          { name: 'message', kind: 'string', required: true },
          { name: 'data', kind: 'any' },
          { name: 'trace_id', kind: 'string' },
          { name: 'span_id', kind: 'string' },
          { name: 'service_name', kind: 'string' },
        ], data);
        if ('error' in read) return read;
        const { message, ...details } = read.input;
        const sink = level === 'trace' ? log.debug : log[level];
        sink(String(message), { source: 'engine::log', worker_id: context.caller?.workerId, ...details });
        return { result: undefined };
      },
    };
  });
}
