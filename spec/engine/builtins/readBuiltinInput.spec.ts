import { readBuiltinInput, serdeUnexpected } from '../../../lib/engine/builtins/readBuiltinInput';
import { cleanWorkerText } from '../../../lib/engine/builtins/workersRegister';

describe('readBuiltinInput', () => {
  const fields = [
    { name: 'name', kind: 'string' as const, required: true },
    { name: 'pid', kind: 'u32' as const },
  ];
  it('reads objects (ignoring unknown keys) and arrays (fields in order)', () => {
    expect(readBuiltinInput('f', 'S', fields, { name: 'a', extra: 1, pid: null })).toEqual({ input: { name: 'a' } });
    expect(readBuiltinInput('f', 'S', fields, ['a', 3])).toEqual({ input: { name: 'a', pid: 3 } });
  });
  it('answers deserialization_error with serde wording', () => {
    const message = (data: unknown) => ('error' in (readBuiltinInput('f', 'S', fields, data) as object) ? (readBuiltinInput('f', 'S', fields, data) as { error: { message: string } }).error.message : '');
    expect(message('x')).toBe('Failed to deserialize input for f: invalid type: string "x", expected struct S');
    expect(message(1.5)).toBe('Failed to deserialize input for f: invalid type: floating point `1.5`, expected struct S');
    expect(message({})).toBe('Failed to deserialize input for f: missing field `name`');
    expect(message({ name: 'a', pid: '1' })).toBe('Failed to deserialize input for f: invalid type: string "1", expected u32');
    expect(message({ name: 'a', pid: -1 })).toBe('Failed to deserialize input for f: invalid value: integer `-1`, expected u32');
    expect(serdeUnexpected({})).toBe('map');
  });
  it('cleans worker names like upstream', () => {
    expect(cleanWorkerText('  a\u202eb\u0000c  ')).toBe('abc');
    expect(cleanWorkerText(' \u0007 ')).toBeUndefined();
    expect(cleanWorkerText('x'.repeat(300))).toHaveLength(280);
  });
});
