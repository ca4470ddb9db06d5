import type { BuiltinFunction } from './BuiltinFunction';
import type { EngineCatalog, FunctionListEntry } from './EngineCatalog';
import { byteOrder } from './EngineCatalog';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::workers::info';

/**
 * `engine::workers::info` `{name}` ⇒ the in-process module of that name, else the first connection with that
 * name (no `pid` needed), else `NOT_FOUND` `Worker '<name>' is not connected.` Shape: `{worker: <list entry> +
 * {pid?, internal}, functions, trigger_types, registered_triggers}`, lists sorted by id (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * workersInfo(catalog).invoke({ name: 'box:42' }, {}); // { result: { worker: { …, pid: 42, internal: false }, functions: [...], … } }
 * ```
 */
export function workersInfo(catalog: EngineCatalog): BuiltinFunction {
  return {
    id: ID,
    description: 'Describe one worker with its functions, trigger types and bindings',
    invoke(data) {
      const read = readBuiltinInput(ID, 'WorkersInfoInput', [{ name: 'name', kind: 'string', required: true }], data);
      if ('error' in read) return read;
      const name = read.input.name as string;
      const found = catalog.findWorker(name);
      if (!found) return { error: { code: 'NOT_FOUND', message: `Worker '${name}' is not connected.` } };
      const worker: Record<string, unknown> = { ...catalog.workerEntry(found) };
      const pid = found.kind === 'connection' ? found.entry.metadata?.pid : undefined;
      if (typeof pid === 'number') worker.pid = pid;
      worker.internal = found.kind === 'module';
      const ids = new Set(catalog.functionsOf(found));
      const functions: FunctionListEntry[] = catalog
        .functions()
        .filter((f) => ids.has(f.function_id))
        .map((f) => {
          const entry: FunctionListEntry = { function_id: f.function_id, worker_name: f.worker_name };
          if (f.description !== undefined) entry.description = f.description;
          if (f.metadata !== undefined) entry.metadata = f.metadata;
          return entry;
        });
      const trigger_types = catalog
        .triggerTypesOf(found)
        .map((t) => ({ id: t.id, worker_name: catalog.typeWorkerName(t), description: t.description ?? '' }))
        .sort((a, b) => byteOrder(a.id, b.id));
      const registered_triggers = catalog
        .liveBindings()
        .filter((b) => ids.has(b.function_id))
        .map((b) => catalog.registeredTriggerEntry(b));
      return { result: { worker, functions, trigger_types, registered_triggers } };
    },
  };
}
