import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::registered-triggers::info';

/**
 * `engine::registered-triggers::info` `{id}` ⇒ `{id, trigger_type, function_id, worker_name, config,
 * metadata?, trigger: <triggers::info> | null, function: <functions::info> | null}`, else `NOT_FOUND`
 * `Registered trigger '<id>' was not found.` (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * registeredTriggersInfo(catalog).invoke({ id: bindingId }, {}); // { result: { id: bindingId, trigger: {...}, function: {...}, … } }
 * ```
 */
export function registeredTriggersInfo(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'Describe one live trigger binding',
    invoke(data) {
      const read = readBuiltinInput(ID, 'RegisteredTriggersInfoInput', [{ name: 'id', kind: 'string', required: true }], data);
      if ('error' in read) return read;
      const id = read.input.id as string;
      const binding = catalog.liveBindings().find((b) => b.id === id);
      if (!binding) return { error: { code: 'NOT_FOUND', message: `Registered trigger '${id}' was not found.` } };
      const result: Record<string, unknown> = {
        id: binding.id,
        trigger_type: binding.trigger_type,
        function_id: binding.function_id,
        worker_name: catalog.bindingWorkerName(binding),
        config: binding.config,
      };
      if (binding.metadata !== undefined) result.metadata = binding.metadata;
      result.trigger = catalog.triggerTypeDetail(binding.trigger_type) ?? null;
      result.function = catalog.functionDetail(binding.function_id) ?? null;
      return { result };
    },
  };
}
