import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::registered-triggers::list';

/**
 * `engine::registered-triggers::list` `{search?, trigger_type?, function_id?, worker?, include_internal?}` ⇒
 * `{registered_triggers: [{id, trigger_type, function_id, worker_name, config, config_summary}]}` sorted by id:
 * live bindings only, those targeting `engine::*` functions hidden unless `include_internal`; `config_summary`
 * is the compact JSON cut at 80 characters plus `…` (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * registeredTriggersList(catalog).invoke({ trigger_type: 'cron' }, {}); // { result: { registered_triggers: [...] } }
 * ```
 */
export function registeredTriggersList(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'List live trigger bindings',
    invoke(data) {
      const read = readBuiltinInput(ID, 'RegisteredTriggersListInput', [
        { name: 'search', kind: 'string' },
        { name: 'trigger_type', kind: 'string' },
        { name: 'function_id', kind: 'string' },
        { name: 'worker', kind: 'string' },
        { name: 'include_internal', kind: 'boolean' },
      ], data);
      if ('error' in read) return read;
      const { search, trigger_type, function_id, worker, include_internal } = read.input as {
        search?: string; trigger_type?: string; function_id?: string; worker?: string; include_internal?: boolean;
      };
      const needle = search?.toLowerCase();
      const registered_triggers = catalog
        .liveBindings()
        .filter((b) => include_internal === true || !b.function_id.startsWith('engine::'))
        .filter((b) => trigger_type === undefined || b.trigger_type === trigger_type)
        .filter((b) => function_id === undefined || b.function_id === function_id)
        .map((b) => catalog.registeredTriggerEntry(b))
        .filter((e) => worker === undefined || e.worker_name === worker)
        .filter(
          (e) =>
            needle === undefined ||
            [e.id, e.trigger_type, e.function_id].some((s) => s.toLowerCase().includes(needle)),
        );
      return { result: { registered_triggers } };
    },
  };
}
