import { tokenMatches } from '../../lib/engine/tokenMatches';

describe('tokenMatches', () => {
  it('accepts exactly "Bearer <token>", scheme in any case, surrounding blanks ignored', () => {
    expect(tokenMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('  BEARER   s3cret  ', 's3cret')).toBe(true);
    expect(tokenMatches(['Bearer s3cret'], 's3cret')).toBe(true);
  });

  it('refuses anything else, including prefixes, suffixes, other schemes and an empty token', () => {
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 's3cret', 'Basic s3cret', 'Bearer s3cre', 'Bearer s3crett', 'Bearer S3CRET', 'Bearers3cret']) {
      expect(tokenMatches(header, 's3cret')).toBe(false);
    }
    expect(tokenMatches('Bearer ', '')).toBe(true); // only reachable if an engine allowed an empty token, which startEngine refuses
  });

  it('handles tokens of any length and non-ASCII text', () => {
    const long = 'x'.repeat(10_000);
    expect(tokenMatches(`Bearer ${long}`, long)).toBe(true);
    expect(tokenMatches(`Bearer ${long}y`, long)).toBe(false);
    expect(tokenMatches('Bearer clé-✓', 'clé-✓')).toBe(true);
  });
});
