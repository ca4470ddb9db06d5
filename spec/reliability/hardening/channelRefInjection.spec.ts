import { firstValueFrom } from 'rxjs';
import { startEngine } from '../../../lib/engine/startEngine';
import { channelReader, ChannelReader } from '../../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../../lib/channel/ChannelWriter';
import { channelUrl } from '../../../lib/channel/channelUrl';
import { InvalidChannelRefError } from '../../../lib/errors/InvalidChannelRefError';

const ID = '0d9b6a52-3f1e-4e0a-a8c4-5d2f7e61b9aa';

describe('channel refs from untrusted peers', () => {
  const hostile = ['../../otel', '/otel', '', 'x#y', 'a?dir=write', `${ID}/../..`, `${ID}#`, ` ${ID}`, `${ID}%2F`, 'c1'];

  it('never builds a URL from a channel_id that is not a UUID: INVALID_CHANNEL_REF instead', () => {
    for (const channel_id of hostile) {
      let caught: unknown;
      try {
        channelUrl('ws://127.0.0.1:1', { channel_id, access_key: 'k', direction: 'read' });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InvalidChannelRefError);
      expect((caught as InvalidChannelRefError).code).toBe('INVALID_CHANNEL_REF');
    }
    expect(() => channelUrl('ws://h', { channel_id: ID, access_key: 'k', direction: 'sideways' as never })).toThrow(InvalidChannelRefError);
    expect(() => channelUrl('ws://h', { channel_id: ID, access_key: 7 as never, direction: 'read' })).toThrow(InvalidChannelRefError);
  });

  it('URL-encodes the key so it cannot add query fields or a fragment', () => {
    const url = new URL(channelUrl('ws://127.0.0.1:9/', { channel_id: ID.toUpperCase(), access_key: 'k&dir=write#/x y', direction: 'read' }));
    expect(url.pathname).toBe(`/ws/channels/${ID}`);
    expect(url.searchParams.getAll('key')).toEqual(['k&dir=write#/x y']);
    expect(url.searchParams.getAll('dir')).toEqual(['read']);
    expect(url.hash).toBe('');
  });

  it('opens no socket for a hostile ref: the engine sees no stray worker or request', async () => {
    const engine = await startEngine({ port: 0 });
    try {
      for (const channel_id of hostile) {
        expect(() => channelReader(engine.url, { channel_id, access_key: 'k', direction: 'read' })).toThrow(InvalidChannelRefError);
        expect(() => new ChannelWriter(engine.url, { channel_id, access_key: 'k', direction: 'write' })).toThrow(InvalidChannelRefError);
      }
      // a valid ref of an unknown channel does reach the engine (and is refused there)
      const reader = new ChannelReader(engine.url, { channel_id: ID, access_key: 'k', direction: 'read' });
      await expect(firstValueFrom(reader)).rejects.toMatchObject({ code: 'CHANNEL_NOT_FOUND' });
      const stats = engine.stats();
      expect(stats.workers).toBe(0);
      expect(stats.telemetrySockets).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
