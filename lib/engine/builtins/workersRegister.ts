import { ENGINE_FUNCTIONS } from '../../protocol/constants';
import type { WorkerDirectory } from '../WorkerDirectory';
import { BuiltinFunction, deserializationError } from './BuiltinFunction';

/**
 * `engine::workers::register`: keeps a worker's self-description (runtime, version, name, os, pid, …),
 * keyed by the `_caller_worker_id` the engine put into the payload. Result `{"success": true}` (the
 * official SDK calls it void, so nothing goes back on the wire).
 *
 * @example
 * ```ts
 * workersRegister(directory).invoke({ name: 'box:1', _caller_worker_id: id }, {}); // { result: { success: true } }
 * ```
 */
export function workersRegister(directory: WorkerDirectory): BuiltinFunction {
  const id = ENGINE_FUNCTIONS.workersRegister;
  return {
    id,
    description: 'Describe the calling worker (runtime, version, name, os, pid)',
    invoke(data) {
      if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        return deserializationError(id, 'invalid type: expected a map');
      }
      const { _caller_worker_id: workerId, ...metadata } = data as Record<string, unknown>;
      if (typeof workerId !== 'string') return deserializationError(id, 'missing field `_caller_worker_id`');
      if (!directory.setMetadata(workerId, metadata)) {
        return { error: { code: 'worker_not_found', message: `Worker ${workerId} not found` } };
      }
      return { result: { success: true } };
    },
  };
}
