import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog, FunctionListEntry } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

export type { FunctionListEntry } from './EngineCatalog';

const ID = 'engine::functions::list';

/** Hidden unless `include_internal`: `engine::` ids (but not `engine::queue::`) and `metadata.internal === true`. */
export function isInternalFunction(entry: { function_id: string; metadata?: unknown }): boolean {
  if (entry.function_id.startsWith('engine::') && !entry.function_id.startsWith('engine::queue::')) return true;
  const metadata = entry.metadata as { internal?: unknown } | undefined;
  return metadata !== null && typeof metadata === 'object' && metadata.internal === true;
}

/** 0: the id starts with `search` or a `::` segment equals it; 1: the id contains it; 2: the description only. */
function searchRank(entry: FunctionListEntry, search: string): number | undefined {
  const id = entry.function_id.toLowerCase();
  if (id.startsWith(search) || id.split('::').includes(search)) return 0;
  if (id.includes(search)) return 1;
  if (entry.description?.toLowerCase().includes(search)) return 2;
  return undefined;
}

/**
 * `engine::functions::list` `{search?, prefix?, worker?, workers?, include_internal?}` ⇒
 * `{functions: [{function_id, worker_name, description?, metadata?}]}` (PROTOCOL.md §10.5): internal ids
 * hidden unless asked for, sorted by id, or by search rank then id.
 *
 * @example
 * ```ts
 * functionsList(catalog).invoke({ prefix: 'media::' }, {}); // { result: { functions: [{ function_id: 'media::probe', worker_name: 'media' }] } }
 * ```
 */
export function functionsList(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'List registered functions',
    invoke(data) {
      const read = readBuiltinInput(ID, 'FunctionsListInput', [
        { name: 'search', kind: 'string' },
        { name: 'prefix', kind: 'string' },
        { name: 'worker', kind: 'string' },
        { name: 'workers', kind: 'strings' },
        { name: 'include_internal', kind: 'boolean' },
      ], data);
      if ('error' in read) return read;
      const { search, prefix, worker, workers, include_internal } = read.input as {
        search?: string; prefix?: string; worker?: string; workers?: string[]; include_internal?: boolean;
      };
      const wanted = worker !== undefined || workers !== undefined ? new Set([...(workers ?? []), ...(worker !== undefined ? [worker] : [])]) : undefined;
      let entries: FunctionListEntry[] = catalog
        .functions()
        .filter((f) => include_internal === true || !isInternalFunction(f))
        .filter((f) => prefix === undefined || f.function_id.startsWith(prefix))
        .filter((f) => wanted === undefined || wanted.has(f.worker_name))
        .map((f) => {
          const entry: FunctionListEntry = { function_id: f.function_id, worker_name: f.worker_name };
          if (f.description !== undefined) entry.description = f.description;
          if (f.metadata !== undefined) entry.metadata = f.metadata;
          return entry;
        });
      if (search !== undefined && search !== '') {
        const needle = search.toLowerCase();
        entries = entries
          .map((e) => ({ e, rank: searchRank(e, needle) }))
          .filter((x): x is { e: FunctionListEntry; rank: number } => x.rank !== undefined)
          .sort((a, b) => a.rank - b.rank) // stable: ties keep the id order
          .map((x) => x.e);
      }
      return { result: { functions: entries } };
    },
  };
}
