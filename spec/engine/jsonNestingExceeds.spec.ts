import { jsonNestingExceeds } from '../../lib/engine/jsonNestingExceeds';

describe('jsonNestingExceeds', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

  it('counts array and object nesting, for text and bytes alike', () => {
    for (const form of [(s: string) => s, (s: string) => Buffer.from(s)]) {
      expect(jsonNestingExceeds(form(deep(128)), 128)).toBe(false);
      expect(jsonNestingExceeds(form(deep(129)), 128)).toBe(true);
      expect(jsonNestingExceeds(form('{"a":{"b":[{}]}}'), 3)).toBe(true);
      expect(jsonNestingExceeds(form('{"a":{"b":[1]}}'), 3)).toBe(false);
      expect(jsonNestingExceeds(form('1'), 0)).toBe(false);
    }
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(jsonNestingExceeds(`{"s":"${'['.repeat(500)}"}`, 1)).toBe(false);
    expect(jsonNestingExceeds(`{"s":"\\"${'['.repeat(500)}"}`, 1)).toBe(false);
    expect(jsonNestingExceeds(`{"s":"\\\\",${'"t":'}[[1]]}`, 2)).toBe(true);
  });

  it('stops early on truncated or unbalanced input without throwing', () => {
    expect(jsonNestingExceeds('['.repeat(1_000_000), 128)).toBe(true);
    expect(jsonNestingExceeds(']]]]}}}}', 128)).toBe(false);
    expect(jsonNestingExceeds('"unterminated [[[[', 1)).toBe(false);
  });
});
