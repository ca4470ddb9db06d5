import { createHash, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { startEngine } from '../../lib/engine/startEngine';
import { openWorker, RawClient, waitFor } from './support/RawClient';

interface Ref {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

describe('channel sockets', () => {
  let engine: EmbeddedEngine;
  let control: RawClient;
  const opened: RawClient[] = [];

  const create = async (data: unknown): Promise<Record<string, any>> => {
    const id = randomUUID();
    await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data });
    return control.next((f) => f.invocation_id === id);
  };
  const channel = async (bufferSize?: number): Promise<{ writer: Ref; reader: Ref }> =>
    (await create(bufferSize === undefined ? {} : { buffer_size: bufferSize })).result;
  const endUrl = (ref: Ref, dir = ref.direction) =>
    `${engine.url}/ws/channels/${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${dir}`;
  const open = async (ref: Ref, dir = ref.direction) => {
    const c = await RawClient.open(endUrl(ref, dir));
    opened.push(c);
    return c;
  };
  const stamp = (i: number, size: number) => {
    const b = Buffer.alloc(size, i & 0xff);
    b.writeUInt32BE(i, 0);
    return b;
  };

  beforeAll(async () => {
    engine = await startEngine({ port: 0 });
    control = (await openWorker(engine.url)).client;
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close(true)));
  });

  afterAll(async () => {
    await control.close(true);
    await engine.close();
  });

  describe('engine::channels::create', () => {
    it('returns a writer and a reader ref with one id and one key', async () => {
      const { writer, reader } = await channel();
      expect(writer).toEqual({ channel_id: reader.channel_id, access_key: reader.access_key, direction: 'write' });
      expect(reader.direction).toBe('read');
      expect(reader.channel_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(reader.access_key).not.toBe(reader.channel_id);
    });

    it('answers deserialization_error for a bad buffer_size or non-object data; an array fills the fields in order', async () => {
      for (const data of [{ buffer_size: 1.5 }, { buffer_size: -1 }, { buffer_size: '8' }, null, ['8'], 'x']) {
        const r = await create(data);
        expect({ data, code: r.error?.code }).toEqual({ data, code: 'deserialization_error' });
        expect(r.error.message).toMatch(/^Failed to deserialize input for engine::channels::create: /);
      }
      for (const data of [{ buffer_size: 0 }, { buffer_size: 5000 }, { buffer_size: null }, { extra: 1 }, [1], []]) {
        expect((await create(data)).result.writer.direction).toBe('write');
      }
    });
  });

  it('delivers text and binary in order, then closes the reader without a status', async () => {
    const { writer, reader } = await channel(8);
    const w = await open(writer);
    await w.send('hello');
    await w.send(Buffer.from([1, 2, 3]), true);
    await w.send('{"json":true}');
    await w.send(Buffer.alloc(0), true);
    await w.close();
    const r = await open(reader);
    expect((await r.closed).code).toBe(1005);
    expect(r.messages.map((m) => [m.binary, m.data.toString('hex')])).toEqual([
      [false, Buffer.from('hello').toString('hex')],
      [true, '010203'],
      [false, Buffer.from('{"json":true}').toString('hex')],
      [true, ''],
    ]);
  });

  it('lets the reader connect first and wait for data', async () => {
    const { writer, reader } = await channel();
    const r = await open(reader);
    const w = await open(writer);
    await w.send('a');
    expect((await r.nextMessage()).data.toString()).toBe('a');
    await w.close();
    expect((await r.closed).code).toBe(1005);
  });

  it('refuses an unknown id and a wrong key alike with 404', async () => {
    const { reader } = await channel();
    const wrongKey = await RawClient.open(endUrl({ ...reader, access_key: randomUUID() })).catch((e) => e);
    const shortKey = await RawClient.open(endUrl({ ...reader, access_key: 'k' })).catch((e) => e);
    const unknownId = await RawClient.open(endUrl({ ...reader, channel_id: randomUUID() })).catch((e) => e);
    for (const err of [wrongKey, shortKey, unknownId]) {
      expect([err.status, err.body]).toEqual([404, 'Channel not found']);
    }
  });

  it('gives each half once: a second taker is upgraded and closed at once, also after the first closed', async () => {
    const { writer, reader } = await channel();
    const r1 = await open(reader);
    const r2 = await open(reader);
    expect((await r2.closed).code).toBe(1005);
    expect(r2.messages).toEqual([]);
    const w1 = await open(writer);
    const w2 = await open(writer);
    expect((await w2.closed).code).toBe(1005);
    await w1.send('only');
    expect((await r1.nextMessage()).data.toString()).toBe('only');
    await w1.close();
    expect((await r1.closed).code).toBe(1005);
    // a used-up channel is a tombstone: late connects get 101 + close, not 404
    const late = await open(reader);
    expect((await late.closed).code).toBe(1005);
    const lateWriter = await open(writer);
    expect((await lateWriter.closed).code).toBe(1005);
  });

  it('drops the writer at its next push once the reader is gone (1006)', async () => {
    const { writer, reader } = await channel();
    const w = await open(writer);
    const r = await open(reader);
    await w.send('first');
    expect((await r.nextMessage()).data.toString()).toBe('first');
    const sockets = engine.stats().channelSockets;
    // the reader's connection ends (a reader's Close alone is ignored, as upstream: see conformance/)
    await r.close(true);
    await waitFor(() => engine.stats().channelSockets === sockets - 1);
    await w.send('second').catch(() => undefined);
    expect((await w.closed).code).toBe(1006);
  });

  it('stops reading a writer whose reader does not read, holding at most about buffer_size messages', async () => {
    const capacity = 4;
    const frame = 64 * 1024;
    const total = 256; // 16 MiB, more than loopback socket buffers absorb
    const { writer, reader } = await channel(capacity);
    const r = await open(reader);
    r.ws.pause();
    const w = await open(writer);
    let acked = 0;
    for (let i = 0; i < total; i++) w.ws.send(stamp(i, frame), { binary: true }, (err) => { if (!err) acked++; });
    // the writer's sends stall: bytes pile up on its side, not in the engine
    await waitFor(() => w.ws.bufferedAmount > 0 && engine.stats().channelQueuedMessages >= capacity);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stalled = engine.stats();
    expect(stalled.channelQueuedMessages).toBeLessThanOrEqual(capacity + 2);
    expect(stalled.channelQueuedBytes).toBeLessThanOrEqual((capacity + 2) * frame);
    expect(acked).toBeLessThan(total);
    expect(w.ws.bufferedAmount).toBeGreaterThan(0);

    r.ws.resume();
    await waitFor(() => acked === total);
    await w.close();
    expect((await r.closed).code).toBe(1005);
    expect(r.messages).toHaveLength(total);
    r.messages.forEach((m, i) => {
      expect(m.binary).toBe(true);
      expect(m.data.readUInt32BE(0)).toBe(i);
      expect(m.data.length).toBe(frame);
    });
  });

  it('drops a writer paused on a full queue when the reader goes', async () => {
    const { writer, reader } = await channel(1);
    const r = await open(reader);
    r.ws.pause();
    const w = await open(writer);
    for (let i = 0; i < 256; i++) w.ws.send(stamp(i, 64 * 1024), { binary: true }, () => undefined);
    await waitFor(() => w.ws.bufferedAmount > 0 && engine.stats().channelQueuedMessages >= 1);
    r.ws.terminate();
    expect((await w.closed).code).toBe(1006);
  });

  it('carries large text messages unchanged', async () => {
    const { writer, reader } = await channel(2);
    const r = await open(reader);
    const w = await open(writer);
    const text = 'x'.repeat(3 * 1024 * 1024) + 'end';
    await w.send(text);
    const m = await r.nextMessage();
    expect(m.binary).toBe(false);
    expect(m.data.toString()).toBe(text);
  });

  it('also pauses the writer at the byte cap, below buffer_size messages', async () => {
    const capped = await startEngine({ port: 0, channelMaxQueuedBytes: 256 * 1024 });
    const ctl = (await openWorker(capped.url)).client;
    try {
      const id = randomUUID();
      await ctl.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: { buffer_size: 1024 } });
      const { writer, reader } = (await ctl.next((f) => f.invocation_id === id)).result as { writer: Ref; reader: Ref };
      const url = (ref: Ref) => `${capped.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`;
      const w = await RawClient.open(url(writer));
      opened.push(w);
      const total = 256;
      let acked = 0;
      for (let i = 0; i < total; i++) w.ws.send(stamp(i, 64 * 1024), { binary: true }, (err) => { if (!err) acked++; });
      await waitFor(() => w.ws.bufferedAmount > 0 && capped.stats().channelQueuedBytes >= 256 * 1024);
      const stalled = capped.stats();
      expect(stalled.channelQueuedBytes).toBeLessThanOrEqual(256 * 1024 + 2 * 64 * 1024);
      expect(stalled.channelQueuedMessages).toBeLessThan(1024);
      expect(acked).toBeLessThan(total);
      const r = await RawClient.open(url(reader));
      opened.push(r);
      await waitFor(() => acked === total);
      await w.close();
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => m.data.readUInt32BE(0))).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await ctl.close(true);
      await capped.close();
    }
  });

  it('counts what the reader socket still holds unsent against the byte cap, so large frames do not queue up behind it', async () => {
    const frame = 512 * 1024; // below the size the engine relays as it arrives: these frames are queued
    const capped = await startEngine({ port: 0, channelMaxQueuedBytes: frame + frame / 2 });
    const ctl = (await openWorker(capped.url)).client;
    try {
      const id = randomUUID();
      await ctl.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: { buffer_size: 64 } });
      const { writer, reader } = (await ctl.next((f) => f.invocation_id === id)).result as { writer: Ref; reader: Ref };
      const url = (ref: Ref) => `${capped.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`;
      const r = await RawClient.open(url(reader));
      r.ws.pause();
      const w = await RawClient.open(url(writer));
      opened.push(r, w);
      const total = 96; // 48 MiB: more than the loopback socket buffers absorb
      let acked = 0;
      for (let i = 0; i < total; i++) w.ws.send(stamp(i, frame), { binary: true }, (err) => { if (!err) acked++; });
      await waitFor(() => w.ws.bufferedAmount > 0 && capped.stats().channelQueuedBytes >= frame);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // a whole frame sits unsent in the reader's socket, so one queued frame reaches the cap: without
      // counting it, the queue would take a second frame (cap: 1.5 frames)
      expect(capped.stats().channelQueuedBytes).toBe(frame);
      expect(acked).toBeLessThan(total);
      r.ws.resume();
      await waitFor(() => acked === total);
      await w.close();
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => m.data.readUInt32BE(0))).toEqual(Array.from({ length: total }, (_, i) => i));
    } finally {
      await ctl.close(true);
      await capped.close();
    }
  });

  it('drops a writer that sends an oversized frame (1006); the reader gets what came before, then a close without status', async () => {
    const small = await startEngine({ port: 0, maxPayloadBytes: 64 * 1024 });
    const ctl = (await openWorker(small.url)).client;
    try {
      const id = randomUUID();
      await ctl.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
      const { writer, reader } = (await ctl.next((f) => f.invocation_id === id)).result as { writer: Ref; reader: Ref };
      const url = (ref: Ref) => `${small.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`;
      const r = await RawClient.open(url(reader));
      const w = await RawClient.open(url(writer));
      opened.push(r, w);
      await w.send('before');
      w.ws.send(Buffer.alloc(64 * 1024 + 1), { binary: true });
      expect((await w.closed).code).toBe(1006);
      // the stream is truncated silently, as upstream does (channelReportWriterLoss would send 1011)
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => m.data.toString())).toEqual(['before']);
    } finally {
      await ctl.close(true);
      await small.close();
    }
  });

  describe('large frames assembled into pooled buffers (default)', () => {
    const MiB = 1024 * 1024;
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    let pooled: EmbeddedEngine;
    let ctl: RawClient;
    const poolChannel = async (target: EmbeddedEngine, control: RawClient): Promise<{ writer: Ref; reader: Ref }> => {
      const id = randomUUID();
      await control.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: { buffer_size: 64 } });
      return (await control.next((f) => f.invocation_id === id)).result;
    };
    const poolOpen = async (target: EmbeddedEngine, ref: Ref) => {
      const c = await RawClient.open(`${target.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`);
      opened.push(c);
      return c;
    };

    beforeAll(async () => {
      pooled = await startEngine({ port: 0, channelFramePoolBytes: 8 * MiB });
      ctl = (await openWorker(pooled.url)).client;
    });

    afterAll(async () => {
      await ctl.close(true);
      await pooled.close();
    });

    it('reuses one buffer for a stream of large frames, each delivered byte for byte, in order with small and text messages', async () => {
      const before = pooled.stats();
      const { writer, reader } = await poolChannel(pooled, ctl);
      const r = await poolOpen(pooled, reader);
      const w = await poolOpen(pooled, writer);
      const frames = 6;
      const sent: (Buffer | string)[] = [];
      for (let i = 0; i < frames; i++) {
        // each frame has other bytes than the one before, so a buffer reused too early would show
        const big = stamp(i + 1, 2 * MiB - 7);
        sent.push(big, `after ${i}`);
        w.ws.send(big, { binary: true });
        w.ws.send(`after ${i}`);
        await waitFor(() => r.messages.length === sent.length);
        // the reader socket has sent the frame: its buffer is back in the pool before the next one comes
        await waitFor(() => pooled.stats().framePoolLentBytes === 0);
      }
      await w.close();
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => (m.binary ? digest(m.data) : m.data.toString()))).toEqual(
        sent.map((m) => (typeof m === 'string' ? m : digest(m))),
      );
      const after = pooled.stats();
      expect(after.framePoolAllocated - before.framePoolAllocated).toBeLessThanOrEqual(1);
      expect(after.framePoolAllocated - before.framePoolAllocated + after.framePoolReused - before.framePoolReused).toBe(frames);
      expect(after.framePoolIdleBytes).toBeLessThanOrEqual(8 * MiB);
    });

    it('keeps frames sent in a burst intact, gives every buffer back and keeps at most channelFramePoolBytes idle', async () => {
      const { writer, reader } = await poolChannel(pooled, ctl);
      const r = await poolOpen(pooled, reader);
      const w = await poolOpen(pooled, writer);
      const sent = Array.from({ length: 12 }, (_, i) => stamp(100 + i, MiB + 1000 * i));
      for (const b of sent) w.ws.send(b, { binary: true });
      await waitFor(() => r.messages.length === sent.length);
      await w.close();
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => digest(m.data))).toEqual(sent.map(digest));
      await waitFor(() => pooled.stats().framePoolLentBytes === 0);
      expect(pooled.stats().framePoolIdleBytes).toBeLessThanOrEqual(8 * MiB);
      expect(pooled.stats().channelQueuedBytes).toBe(0);
    });

    it('discards a frame the writer drops inside: the reader gets what came before, then a close without status, as upstream', async () => {
      const { writer, reader } = await poolChannel(pooled, ctl);
      const r = await poolOpen(pooled, reader);
      const w = await poolOpen(pooled, writer);
      const complete = stamp(7, 2 * MiB);
      w.ws.send(complete, { binary: true });
      await waitFor(() => r.messages.length === 1);
      // a masked 4 MiB binary frame of which only 1 MiB arrives before the connection drops
      const length = 4 * MiB;
      const header = Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
      header.writeUInt32BE(length, 6);
      const socket = (w.ws as unknown as { _socket: Socket })._socket;
      socket.write(Buffer.concat([header, Buffer.alloc(MiB, 9)]), () => socket.destroy());
      expect((await r.closed).code).toBe(1005);
      expect(r.messages.map((m) => digest(m.data))).toEqual([digest(complete)]);
      // the partial frame's buffer went back to the pool
      await waitFor(() => pooled.stats().framePoolLentBytes === 0);
    });

    it('honours the byte cap: a reader that does not read holds the writer, and the buffers lent stay within the cap', async () => {
      const frame = 2 * MiB;
      const cap = 2 * frame;
      const capped = await startEngine({ port: 0, channelMaxQueuedBytes: cap });
      const control = (await openWorker(capped.url)).client;
      try {
        const { writer, reader } = await poolChannel(capped, control);
        const r = await poolOpen(capped, reader);
        r.ws.pause();
        const w = await poolOpen(capped, writer);
        const total = 32; // 64 MiB: more than the loopback socket buffers absorb
        let acked = 0;
        for (let i = 0; i < total; i++) w.ws.send(stamp(i, frame), { binary: true }, (err) => { if (!err) acked++; });
        await waitFor(() => w.ws.bufferedAmount > 0 && capped.stats().channelQueuedBytes >= frame);
        await new Promise((resolve) => setTimeout(resolve, 100));
        // what is queued and what the reader's socket holds stop at the cap; one more frame may be arriving
        expect(capped.stats().channelQueuedBytes).toBeLessThanOrEqual(cap);
        expect(capped.stats().framePoolLentBytes).toBeLessThanOrEqual(cap + 2 * frame);
        expect(acked).toBeLessThan(total);
        r.ws.resume();
        await waitFor(() => acked === total);
        await w.close();
        expect((await r.closed).code).toBe(1005);
        expect(r.messages.map((m) => m.data.readUInt32BE(0))).toEqual(Array.from({ length: total }, (_, i) => i));
        await waitFor(() => capped.stats().framePoolLentBytes === 0);
      } finally {
        await control.close(true);
        await capped.close();
      }
    });

    it('with channelFramePoolBytes 0, has no pool and still delivers large frames', async () => {
      const plain = await startEngine({ port: 0, channelFramePoolBytes: 0 });
      const control = (await openWorker(plain.url)).client;
      try {
        const { writer, reader } = await poolChannel(plain, control);
        const r = await poolOpen(plain, reader);
        const w = await poolOpen(plain, writer);
        const big = stamp(3, 3 * MiB);
        w.ws.send(big, { binary: true });
        await waitFor(() => r.messages.length === 1);
        await w.close();
        expect((await r.closed).code).toBe(1005);
        expect(digest(r.messages[0].data)).toBe(digest(big));
        expect(plain.stats()).toMatchObject({ framePoolAllocated: 0, framePoolReused: 0, framePoolIdleBytes: 0 });
      } finally {
        await control.close(true);
        await plain.close();
      }
    });
  });

  describe('channelRelayFrameBytes (opt-in): large frames go on to the reader as they arrive', () => {
    let relaying: EmbeddedEngine;
    let ctl: RawClient;
    const relayChannel = async (): Promise<{ writer: Ref; reader: Ref }> => {
      const id = randomUUID();
      await ctl.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: { buffer_size: 4 } });
      return (await ctl.next((f) => f.invocation_id === id)).result;
    };
    const relayOpen = async (ref: Ref) => {
      const c = await RawClient.open(`${relaying.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`);
      opened.push(c);
      return c;
    };

    beforeAll(async () => {
      relaying = await startEngine({ port: 0, channelRelayFrameBytes: 1024 * 1024 });
      ctl = (await openWorker(relaying.url)).client;
    });

    afterAll(async () => {
      await ctl.close(true);
      await relaying.close();
    });

    it('relays large binary frames as they arrive: byte for byte, in order with small and text messages', async () => {
      const { writer, reader } = await relayChannel();
      const r = await relayOpen(reader);
      const w = await relayOpen(writer);
      const sent: { data: Buffer | string; binary: boolean }[] = [
        { data: 'first', binary: false },
        { data: stamp(1, 3 * 1024 * 1024 + 5), binary: true },
        { data: stamp(2, 64 * 1024), binary: true },
        { data: stamp(3, 1024 * 1024), binary: true },
        { data: 'between', binary: false },
        { data: stamp(4, 2 * 1024 * 1024), binary: true },
        { data: stamp(5, 2 * 1024 * 1024), binary: true },
      ];
      for (const m of sent) w.ws.send(m.data, { binary: m.binary });
      await waitFor(() => r.messages.length === sent.length);
      await w.close();
      expect((await r.closed).code).toBe(1005);
      const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(r.messages.map((m) => (m.binary ? `${m.data.length}:${digest(m.data)}` : m.data.toString()))).toEqual(
        sent.map((m) => (m.binary ? `${m.data.length}:${digest(m.data as Buffer)}` : m.data)),
      );
      expect(relaying.stats().channelQueuedBytes).toBe(0);
    });

    it('drops the reader (1006) when the writer ends inside a frame being relayed: a torn frame cannot be closed normally', async () => {
      const { writer, reader } = await relayChannel();
      const r = await relayOpen(reader);
      const w = await relayOpen(writer);
      await w.send('complete');
      await waitFor(() => r.messages.length === 1);
      // a masked 2 MiB binary frame of which only 1 MiB arrives before the connection drops
      const length = 2 * 1024 * 1024;
      const header = Buffer.from([0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
      header.writeUInt32BE(length, 6);
      const socket = (w.ws as unknown as { _socket: Socket })._socket;
      socket.write(Buffer.concat([header, Buffer.alloc(length / 2, 7)]), () => socket.destroy());
      expect((await r.closed).code).toBe(1006);
      expect(r.messages.map((m) => m.data.toString())).toEqual(['complete']);
    });
  });

  describe('TTL sweep', () => {
    let short: EmbeddedEngine;
    let ctl: RawClient;
    const shortChannel = async (): Promise<{ writer: Ref; reader: Ref }> => {
      const id = randomUUID();
      await ctl.send({ type: 'invokefunction', invocation_id: id, function_id: 'engine::channels::create', data: {} });
      return (await ctl.next((f) => f.invocation_id === id)).result;
    };
    const shortUrl = (ref: Ref) => `${short.url}/ws/channels/${ref.channel_id}?key=${ref.access_key}&dir=${ref.direction}`;

    beforeAll(async () => {
      short = await startEngine({ port: 0, channelTtlMs: 0, channelSweepMs: 3_600_000 });
      ctl = (await openWorker(short.url)).client;
    });
    afterAll(async () => {
      await ctl.close(true);
      await short.close();
    });

    it('ends a waiting reader whose writer never came, and then answers 404', async () => {
      const { writer, reader } = await shortChannel();
      const r = await RawClient.open(shortUrl(reader));
      opened.push(r);
      expect(short.sweepChannels()).toBe(1);
      expect((await r.closed).code).toBe(1005);
      const err = await RawClient.open(shortUrl(writer)).catch((e) => e);
      expect(err.status).toBe(404);
    });

    it('drops a writer whose reader never came', async () => {
      const { writer } = await shortChannel();
      const w = await RawClient.open(shortUrl(writer));
      opened.push(w);
      await w.send('lost');
      await waitFor(() => short.stats().channelQueuedMessages === 1);
      short.sweepChannels();
      expect((await w.closed).code).toBe(1006);
    });

    it('leaves channels with both halves taken alone while they stream, then frees their tombstones', async () => {
      const { writer, reader } = await shortChannel();
      const r = await RawClient.open(shortUrl(reader));
      const w = await RawClient.open(shortUrl(writer));
      opened.push(r, w);
      expect(short.sweepChannels()).toBe(0);
      await w.send('still here');
      expect((await r.nextMessage()).data.toString()).toBe('still here');
      await w.close();
      await r.closed;
      await waitFor(() => short.stats().channelTombstones === 1);
      expect(short.sweepChannels()).toBe(1);
      expect(short.stats().channels).toBe(0);
    });
  });
});
