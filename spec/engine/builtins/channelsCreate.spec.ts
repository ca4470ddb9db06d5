import { channelCapacity, channelsCreate } from '../../../lib/engine/builtins/channelsCreate';
import { ChannelBroker } from '../../../lib/engine/ChannelBroker';
import { toEngineLog } from '../../../lib/engine/EngineLogger';

describe('engine::channels::create', () => {
  it('clamps the capacity like upstream', () => {
    expect([undefined, null, 0, 1, 64, 1024, 1025, 5000, 2 ** 60].map(channelCapacity)).toEqual([64, 64, 1, 1, 64, 1024, 1024, 1024, 1024]);
    expect([1.5, -1, '8', true, {}, Number.NaN, 2 ** 70].map(channelCapacity)).toEqual(Array(7).fill(undefined));
  });

  it('creates a channel the broker can find with the returned key', () => {
    const broker = new ChannelBroker(toEngineLog(undefined), { ttlMs: 1000, sweepMs: 1000, readerLimits: { maxInFlight: 1, highWaterBytes: 1 } });
    const fn = channelsCreate(broker);
    const out = fn.invoke({ buffer_size: 3, _caller_worker_id: 'w' }, {});
    if (!('result' in out)) throw new Error('expected a result');
    const { writer, reader } = out.result as Record<string, { channel_id: string; access_key: string; direction: string }>;
    expect(writer.direction).toBe('write');
    expect(reader.direction).toBe('read');
    const channel = broker.lookup(reader.channel_id, reader.access_key);
    expect(channel?.capacity).toBe(3);
    expect(channel?.owner).toBeUndefined();
    broker.close();
  });

  it('answers deserialization_error for unreadable input', () => {
    const broker = new ChannelBroker(toEngineLog(undefined), { ttlMs: 1000, sweepMs: 1000, readerLimits: { maxInFlight: 1, highWaterBytes: 1 } });
    const fn = channelsCreate(broker);
    for (const data of [null, ['x'], 'x', { buffer_size: 2.5 }]) {
      expect(fn.invoke(data, {})).toEqual({
        error: { code: 'deserialization_error', message: expect.stringMatching(/^Failed to deserialize input for engine::channels::create: /) },
      });
    }
    expect(broker.stats().channels).toBe(0);
    broker.close();
  });
});
