import { ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { toChannelRef } from '../../lib/channel/toChannelRef';
import { InvalidChannelRefError } from '../../lib/errors/InvalidChannelRefError';

describe('toChannelRef', () => {
  const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';
  const ref = { channel_id: ID, access_key: 'k1', direction: 'read' as const };

  it('passes a plain ref through', () => {
    expect(toChannelRef(ref)).toBe(ref);
  });

  it('takes the ref of a live end, so an end can open where a ref was expected', () => {
    const reader = new ChannelReader('ws://127.0.0.1:1', ref);
    expect(toChannelRef(reader)).toEqual(ref);
    const writer = new ChannelWriter('ws://127.0.0.1:1', { ...ref, direction: 'write' });
    const again = new ChannelWriter('ws://127.0.0.1:2', writer);
    expect(again.ref).toEqual({ channel_id: ID, access_key: 'k1', direction: 'write' });
    expect(again.url).toBe(`ws://127.0.0.1:2/ws/channels/${ID}?key=k1&dir=write`);
  });

  it('refuses what is not a ref with InvalidChannelRefError', () => {
    expect(() => toChannelRef({ id: 'c1', key: 'k1' } as never)).toThrow(InvalidChannelRefError);
    expect(() => toChannelRef(null as never)).toThrow(/not a channel ref/);
  });
});
