import { ENGINE_FUNCTIONS } from '../../protocol/constants';
import type { FunctionRegistry } from '../FunctionRegistry';
import type { BuiltinFunction } from './BuiltinFunction';

/** One entry of `engine::functions::list`. */
export interface FunctionListEntry {
  function_id: string;
  description?: string;
  request_format?: unknown;
  response_format?: unknown;
  metadata?: unknown;
  /** `worker_id` of the owning connection; absent for engine built-ins. */
  worker_id?: string;
  /** True for functions the engine serves itself. */
  builtin: boolean;
}

/**
 * `engine::functions::list`: `{}` → `{functions: FunctionListEntry[]}` — every worker function, then
 * the engine's built-ins.
 *
 * @example
 * ```ts
 * functionsList(registry, () => builtins).invoke({}, {}); // { result: { functions: [...] } }
 * ```
 */
export function functionsList(registry: FunctionRegistry, builtins: () => BuiltinFunction[]): BuiltinFunction {
  return {
    id: ENGINE_FUNCTIONS.functionsList,
    description: 'List every registered function',
    invoke() {
      const functions: FunctionListEntry[] = registry.list().map((f) => ({
        function_id: f.id,
        description: f.description,
        request_format: f.request_format,
        response_format: f.response_format,
        metadata: f.metadata,
        worker_id: f.owner.workerId,
        builtin: false,
      }));
      for (const b of builtins()) {
        functions.push({ function_id: b.id, description: b.description, builtin: true });
      }
      return { result: { functions } };
    },
  };
}
