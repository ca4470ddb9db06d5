import { ChannelBroker } from '../../lib/engine/ChannelBroker';
import { toEngineLog } from '../../lib/engine/EngineLogger';

describe('ChannelBroker', () => {
  const make = (ttlMs = 300_000) =>
    new ChannelBroker(toEngineLog(undefined), { ttlMs, sweepMs: 60_000, readerLimits: { maxInFlight: 8, highWaterBytes: 1024 } });

  it('finds a channel only with its exact key', () => {
    const broker = make();
    const channel = broker.create(4);
    expect(broker.lookup(channel.id, channel.accessKey)).toBe(channel);
    expect(broker.lookup(channel.id, channel.accessKey.toUpperCase())).toBeUndefined();
    expect(broker.lookup(channel.id, '')).toBeUndefined();
    expect(broker.lookup(channel.id, `${channel.accessKey}x`)).toBeUndefined();
    expect(broker.lookup('unknown', channel.accessKey)).toBeUndefined();
    broker.close();
  });

  it('sweeps half-connected channels once older than the TTL', () => {
    const broker = make(1000);
    const channel = broker.create(4);
    expect(broker.sweep(channel.createdAt + 999)).toBe(0);
    expect(broker.sweep(channel.createdAt + 1000)).toBe(1);
    expect(broker.lookup(channel.id, channel.accessKey)).toBeUndefined();
    expect(channel.writerHalf).toBe('finished');
    expect(channel.readerHalf).toBe('gone');
    broker.close();
  });

  it('removes owned channels on owner cleanup and leaves the others', () => {
    const broker = make();
    const owned = broker.create(4, 'w1');
    const free = broker.create(4);
    expect(broker.removeOwnedBy('w1')).toBe(1);
    expect(broker.lookup(owned.id, owned.accessKey)).toBeUndefined();
    expect(broker.lookup(free.id, free.accessKey)).toBe(free);
    broker.close();
  });

  it('starts an unref-ed sweep timer and clears it on close (idempotent)', () => {
    const broker = make();
    broker.start();
    broker.start();
    broker.create(1);
    broker.close();
    broker.close();
    expect(broker.stats()).toEqual({ channels: 0, tombstones: 0, queuedMessages: 0, queuedBytes: 0 });
  });
});
