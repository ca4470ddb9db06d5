import { BuiltinFunction, OBSERVABILITY_MODULE } from './BuiltinFunction';
import { readBuiltinInput } from './readBuiltinInput';

/** The reply of `engine::baggage::set` (upstream's exact text). */
export const BAGGAGE_SET_NOTE = 'Baggage set in new context. For propagation, use SDK-level baggage headers.';

/**
 * `engine::baggage::get` `{key}` ⇒ `{"value": null}`, `engine::baggage::get_all` ⇒ `{"baggage": {}}`,
 * `engine::baggage::set` `{key, value}` ⇒ `{"success": true, "note": …}` — what the real engine answers
 * outside an OpenTelemetry context (PROTOCOL.md §10.5).
 *
 * @example
 * ```ts
 * engineBaggage().find((b) => b.id === 'engine::baggage::get')!.invoke({ key: 'k' }, {}); // { result: { value: null } }
 * ```
 */
export function engineBaggage(): BuiltinFunction[] {
  const get = 'engine::baggage::get';
  const set = 'engine::baggage::set';
  return [
    {
      id: get,
      module: OBSERVABILITY_MODULE,
      description: 'Read one baggage entry of the current context',
      invoke(data) {
        const read = readBuiltinInput(get, 'BaggageGetInput', [{ name: 'key', kind: 'string', required: true }], data);
        return 'error' in read ? read : { result: { value: null } };
      },
    },
    {
      id: 'engine::baggage::get_all',
      module: OBSERVABILITY_MODULE,
      description: 'Read every baggage entry of the current context',
      invoke: () => ({ result: { baggage: {} } }),
    },
    {
      id: set,
      module: OBSERVABILITY_MODULE,
      description: 'Set a baggage entry in a new context',
      invoke(data) {
        const read = readBuiltinInput(set, 'BaggageSetInput', [
          { name: 'key', kind: 'string', required: true },
          { name: 'value', kind: 'string', required: true },
        ], data);
        return 'error' in read ? read : { result: { success: true, note: BAGGAGE_SET_NOTE } };
      },
    },
  ];
}
