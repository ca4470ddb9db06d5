import type { TriggerRegistry } from '../TriggerRegistry';
import type { BuiltinFunction } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

const ID = 'engine::unregister_trigger';

/**
 * `engine::unregister_trigger` `{id, trigger_type?}` ⇒ `{removed: boolean}`; parked bindings count, and a
 * worker provider is told (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * unregisterTrigger(triggers).invoke({ id: bindingId }, {}); // { result: { removed: true } }
 * ```
 */
export function unregisterTrigger(triggers: TriggerRegistry): BuiltinFunction {
  return {
    id: ID,
    description: 'Remove a trigger binding by id',
    invoke(data) {
      const read = readBuiltinInput(ID, 'UnregisterTriggerInput', [
        { name: 'id', kind: 'string', required: true },
        { name: 'trigger_type', kind: 'string' },
      ], data);
      if ('error' in read) return read;
      const id = read.input.id as string;
      const removed = triggers.listBindings().some((b) => b.id === id);
      if (removed) triggers.unregisterTrigger({ type: 'unregistertrigger', id });
      return { result: { removed } };
    },
  };
}
