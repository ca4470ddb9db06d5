import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::triggers::list';

/**
 * `engine::triggers::list` `{search?, prefix?, worker?, include_internal?}` ⇒ `{triggers: [{id, worker_name,
 * description}]}` sorted by id; `engine::*` types hidden unless `include_internal` (PROTOCOL.md §10.5).
 * `search` is a case-insensitive substring of the id or description.
 *
 * @example
 * ```ts
 * triggersList(catalog).invoke({}, {}); // { result: { triggers: [{ id: 'orders::changed', worker_name: 'orders', description: '…' }] } }
 * ```
 */
export function triggersList(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'List trigger types',
    invoke(data) {
      const read = readBuiltinInput(ID, 'TriggersListInput', [
        { name: 'search', kind: 'string' },
        { name: 'prefix', kind: 'string' },
        { name: 'worker', kind: 'string' },
        { name: 'include_internal', kind: 'boolean' },
      ], data);
      if ('error' in read) return read;
      const { search, prefix, worker, include_internal } = read.input as {
        search?: string; prefix?: string; worker?: string; include_internal?: boolean;
      };
      const needle = search?.toLowerCase();
      const triggers = catalog
        .triggerTypes()
        .filter((t) => include_internal === true || !t.id.startsWith('engine::'))
        .filter((t) => prefix === undefined || t.id.startsWith(prefix))
        .filter((t) => worker === undefined || t.worker_name === worker)
        .filter((t) => needle === undefined || t.id.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle));
      return { result: { triggers } };
    },
  };
}
