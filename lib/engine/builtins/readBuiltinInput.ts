import type { ErrorBody } from '../../protocol/ErrorBody';
import { deserializationError } from './BuiltinFunction';

/** JSON type a built-in input field must have. */
export type BuiltinFieldKind = 'string' | 'boolean' | 'u32' | 'usize' | 'strings' | 'any' | 'object';

/** One field of a built-in's input struct, in declaration order (an array input fills them in order). */
export interface BuiltinField {
  name: string;
  kind: BuiltinFieldKind;
  /** A required field must be present and not `null`. */
  required?: boolean;
}

const EXPECTED: Record<BuiltinFieldKind, string> = {
  string: 'a string',
  boolean: 'a boolean',
  u32: 'u32',
  usize: 'usize',
  strings: 'a sequence',
  any: 'any value',
  object: 'a map',
};

/**
 * How serde names a JSON value in its "invalid type" messages (`string "x"`, ``integer `5` ``, `map`, …).
 *
 * @example
 * ```ts
 * serdeUnexpected('x'); // 'string "x"'
 * serdeUnexpected(1.5); // 'floating point `1.5`'
 * ```
 */
export function serdeUnexpected(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  if (typeof value === 'boolean') return `boolean \`${value}\``;
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (Array.isArray(value)) return 'sequence';
  return 'map';
}

function fieldProblem(field: BuiltinField, value: unknown): string | undefined {
  const invalidType = () => `invalid type: ${serdeUnexpected(value)}, expected ${EXPECTED[field.kind]}`;
  switch (field.kind) {
    case 'any':
      return undefined;
    case 'string':
      return typeof value === 'string' ? undefined : invalidType();
    case 'boolean':
      return typeof value === 'boolean' ? undefined : invalidType();
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : invalidType();
    case 'u32':
    case 'usize': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return invalidType();
      const max = field.kind === 'u32' ? 2 ** 32 : 2 ** 64;
      return value >= 0 && value < max ? undefined : `invalid value: integer \`${value}\`, expected ${field.kind}`;
    }
    case 'strings': {
      if (!Array.isArray(value)) return invalidType();
      const bad = value.find((v) => typeof v !== 'string');
      return bad === undefined ? undefined : `invalid type: ${serdeUnexpected(bad)}, expected a string`;
    }
  }
}

/**
 * Reads a built-in's input the way upstream's serde structs do (PROTOCOL.md §10.5 common rules): unknown
 * keys (such as `_caller_worker_id`) are ignored, an array fills the fields in order, `null` means absent,
 * and `null`/string/number input or a field of the wrong type is `deserialization_error`
 * `Failed to deserialize input for <id>: <serde text>`.
 *
 * @example
 * ```ts
 * readBuiltinInput('engine::functions::list', 'FunctionsListInput', [{ name: 'prefix', kind: 'string' }], 'x');
 * // { error: { code: 'deserialization_error', message: 'Failed to deserialize input for engine::functions::list:
 * //   invalid type: string "x", expected struct FunctionsListInput' } }
 * ```
 */
export function readBuiltinInput(
  functionId: string,
  struct: string,
  fields: readonly BuiltinField[],
  data: unknown,
): { input: Record<string, unknown> } | { error: ErrorBody } {
  let source: Record<string, unknown>;
  if (Array.isArray(data)) {
    source = {};
    fields.forEach((f, i) => {
      if (i < data.length) source[f.name] = data[i];
    });
  } else if (data !== null && typeof data === 'object') {
    source = data as Record<string, unknown>;
  } else {
    return deserializationError(functionId, `invalid type: ${serdeUnexpected(data)}, expected struct ${struct}`);
  }
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const value = Object.prototype.hasOwnProperty.call(source, field.name) ? source[field.name] : undefined;
    if (value === undefined || (value === null && field.kind !== 'any')) {
      if (field.required) return deserializationError(functionId, `missing field \`${field.name}\``);
      continue;
    }
    const problem = fieldProblem(field, value);
    if (problem) return deserializationError(functionId, problem);
    input[field.name] = value;
  }
  return { input };
}
