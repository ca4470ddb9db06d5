import { ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { toChannelRef } from '../../lib/channel/toChannelRef';

describe('toChannelRef', () => {
  const ref = { channel_id: 'c1', access_key: 'k1', direction: 'read' as const };

  it('passes a plain ref through', () => {
    expect(toChannelRef(ref)).toBe(ref);
  });

  it('takes the ref of a live end, so an end can open where a ref was expected', () => {
    const reader = new ChannelReader('ws://127.0.0.1:1', ref);
    expect(toChannelRef(reader)).toEqual(ref);
    const writer = new ChannelWriter('ws://127.0.0.1:1', { ...ref, direction: 'write' });
    const again = new ChannelWriter('ws://127.0.0.1:2', writer);
    expect(again.ref).toEqual({ channel_id: 'c1', access_key: 'k1', direction: 'write' });
    expect(again.url).toBe('ws://127.0.0.1:2/ws/channels/c1?key=k1&dir=write');
  });

  it('refuses what is not a ref with a TypeError', () => {
    expect(() => toChannelRef({ id: 'c1', key: 'k1' } as never)).toThrow(TypeError);
    expect(() => toChannelRef(null as never)).toThrow(/not a channel ref/);
  });
});
