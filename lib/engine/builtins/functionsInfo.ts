import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::functions::info';
/** Most ids one `function_ids` call may ask for. */
export const MAX_FUNCTION_INFO_IDS = 32;

/**
 * `engine::functions::info` with exactly one of `{function_id}` / `{function_ids}` (1–32, deduplicated):
 * `{function_id, worker_name, description?, request_schema?, response_schema?, metadata?, registered_triggers}`
 * (`NOT_FOUND` when unknown), or `{functions: [detail | {function_id, error: "not_found"}]}` (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * functionsInfo(catalog).invoke({ function_id: 'media::thumb' }, {});
 * // { result: { function_id: 'media::thumb', worker_name: 'media', registered_triggers: [] } }
 * ```
 */
export function functionsInfo(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'Describe registered functions with their schemas and trigger bindings',
    invoke(data) {
      const read = readBuiltinInput(ID, 'FunctionsInfoInput', [
        { name: 'function_id', kind: 'string' },
        { name: 'function_ids', kind: 'strings' },
      ], data);
      if ('error' in read) return read;
      const { function_id, function_ids } = read.input as { function_id?: string; function_ids?: string[] };
      const ids = function_ids === undefined ? undefined : [...new Set(function_ids)];
      if ((function_id === undefined) === (ids === undefined) || (ids !== undefined && (ids.length < 1 || ids.length > MAX_FUNCTION_INFO_IDS))) {
        return {
          error: {
            code: 'INVALID_ARGUMENTS',
            message: `Provide exactly one of function_id or function_ids (1 to ${MAX_FUNCTION_INFO_IDS} ids).`,
          },
        };
      }
      if (function_id !== undefined) {
        const detail = catalog.functionDetail(function_id);
        if (!detail) return { error: { code: 'NOT_FOUND', message: `Function '${function_id}' is not registered.` } };
        return { result: detail };
      }
      const functions = (ids as string[]).map((id) => catalog.functionDetail(id) ?? { function_id: id, error: 'not_found' });
      return { result: { functions } };
    },
  };
}
