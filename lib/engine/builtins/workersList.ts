import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

export type { WorkerListEntry } from './EngineCatalog';

const ID = 'engine::workers::list';

/**
 * `engine::workers::list` `{search?, runtime?, status?}` ⇒ `{workers: [...]}` (PROTOCOL.md §10.5): every
 * in-process module (`runtime: "engine"`, `status: "available"`) and only the connections that reported a
 * `pid` through `engine::workers::register` (`status: "connected"`), every key present (`null` if unknown),
 * sorted by name (id when null), then id. `search` is a case-insensitive substring of `name`.
 *
 * @example
 * ```ts
 * workersList(catalog).invoke({ runtime: 'node' }, {}); // { result: { workers: [{ id, name: 'box:42', runtime: 'node', … }] } }
 * ```
 */
export function workersList(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'List workers: in-process modules and connected workers that described themselves',
    invoke(data) {
      const read = readBuiltinInput(ID, 'WorkersListInput', [
        { name: 'search', kind: 'string' },
        { name: 'runtime', kind: 'string' },
        { name: 'status', kind: 'string' },
      ], data);
      if ('error' in read) return read;
      const { search, runtime, status } = read.input as { search?: string; runtime?: string; status?: string };
      const needle = search?.toLowerCase();
      const workers = catalog
        .listedWorkers()
        .map((w) => w.entry)
        .filter((w) => needle === undefined || (w.name ?? '').toLowerCase().includes(needle))
        .filter((w) => runtime === undefined || w.runtime === runtime)
        .filter((w) => status === undefined || w.status === status);
      return { result: { workers } };
    },
  };
}
