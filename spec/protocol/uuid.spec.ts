import { normalizeUuid } from '../../lib/protocol/uuid';

describe('normalizeUuid', () => {
  it('lowercases and hyphenates any accepted form', () => {
    const canonical = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';
    expect(normalizeUuid('0D9B6A523F1E4E0AA8C45D2F7E61B9AA')).toBe(canonical);
    expect(normalizeUuid(`{${canonical}}`)).toBe(canonical);
    expect(normalizeUuid(`urn:uuid:${canonical.toUpperCase()}`)).toBe(canonical);
  });

  it('rejects what is not a UUID', () => {
    expect(normalizeUuid('call-1')).toBeUndefined();
    expect(normalizeUuid(42)).toBeUndefined();
  });
});
