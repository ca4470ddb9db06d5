import { QuotaIdentities } from '../../lib/engine/QuotaIdentities';

describe('QuotaIdentities', () => {
  it('starts every connection as its own identity', () => {
    const ids = new QuotaIdentities();
    expect(ids.identityOf('w1')).toBe('w1');
  });

  it('hands the identity on through a chain of live reattaches, and keeps no record of the replaced connections', () => {
    const ids = new QuotaIdentities();
    ids.inherit('w2', 'w1');
    ids.depart('w1', 't1', true);
    ids.inherit('w3', 'w2');
    ids.depart('w2', 't2', true);
    expect(ids.identityOf('w3')).toBe('w1');
    expect(ids.departedCount).toBe(0);
    expect(ids.inheritDeparted('w4', 'w2', 't2')).toBe(false);
  });

  it('lets a later connection take a departed identity over with its token only, once', () => {
    const ids = new QuotaIdentities();
    ids.inherit('w2', 'w1');
    ids.depart('w1', 't1', true);
    ids.depart('w2', 't2', true);
    expect(ids.identityOf('w2')).toBe('w2');
    expect(ids.inheritDeparted('x', 'w2', 'wrong')).toBe(false);
    expect(ids.inheritDeparted('x', 'w2', undefined)).toBe(false);
    expect(ids.inheritDeparted('w3', 'w2', 't2')).toBe(true);
    expect(ids.identityOf('w3')).toBe('w1');
    expect(ids.inheritDeparted('w4', 'w2', 't2')).toBe(false);
  });

  it('remembers a departed connection only while its identity holds something', () => {
    const ids = new QuotaIdentities();
    ids.depart('w1', 't1', false);
    expect(ids.departedCount).toBe(0);
    expect(ids.inheritDeparted('w2', 'w1', 't1')).toBe(false);
    ids.depart('w3', 't3', true);
    expect(ids.departedCount).toBe(1);
    ids.release('w3');
    expect(ids.departedCount).toBe(0);
    expect(ids.inheritDeparted('w4', 'w3', 't3')).toBe(false);
  });
});
