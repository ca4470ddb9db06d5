import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::triggers::info';

/**
 * `engine::triggers::info` `{id}` ⇒ `{id, worker_name, description, configuration_schema?, request_schema?,
 * response_schema?, instance_count}` (the type's `trigger_request_format` and `call_request_format`; live
 * bindings counted), else `NOT_FOUND` `Trigger type '<id>' is not registered.` (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * triggersInfo(catalog).invoke({ id: 'orders::changed' }, {}); // { result: { id: 'orders::changed', …, instance_count: 2 } }
 * ```
 */
export function triggersInfo(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'Describe one trigger type',
    invoke(data) {
      const read = readBuiltinInput(ID, 'TriggersInfoInput', [{ name: 'id', kind: 'string', required: true }], data);
      if ('error' in read) return read;
      const id = read.input.id as string;
      const detail = catalog.triggerTypeDetail(id);
      if (!detail) return { error: { code: 'NOT_FOUND', message: `Trigger type '${id}' is not registered.` } };
      return { result: detail };
    },
  };
}
