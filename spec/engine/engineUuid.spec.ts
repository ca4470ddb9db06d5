import { randomUUID } from 'node:crypto';
import { engineUuid } from '../../lib/engine/engineUuid';
import { normalizeUuid } from '../../lib/protocol/uuid';

describe('engineUuid', () => {
  it('answers exactly as normalizeUuid, canonical ids included', () => {
    const id = randomUUID();
    const inputs: unknown[] = [
      id,
      id.toUpperCase(),
      id.replace(/-/g, ''),
      `{${id}}`,
      `urn:uuid:${id}`,
      ` ${id} `,
      `${id.slice(0, 35)}g`,
      id.replace(/-/g, '_'),
      `${id}0`,
      '',
      42,
      null,
    ];
    for (const input of inputs) expect(engineUuid(input)).toBe(normalizeUuid(input));
  });

  it('returns a canonical id as the same string', () => {
    const id = randomUUID();
    expect(engineUuid(id)).toBe(id);
  });
});
