import { firstValueFrom, from, lastValueFrom, Observable, tap, toArray } from 'rxjs';
import { ChannelReader, channelReader } from '../../lib/channel/ChannelReader';
import { channelWriter } from '../../lib/channel/ChannelWriter';
import { readChannel } from '../../lib/channel/readChannel';
import { writeChannel } from '../../lib/channel/writeChannel';
import { binaryItems } from '../../lib/channel/binaryItems';
import type { ChannelItem } from '../../lib/channel/ChannelItem';
import type { ChannelProgress } from '../../lib/channel/ChannelProgress';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { ChannelNotFoundError } from '../../lib/errors/ChannelNotFoundError';
import { ChannelOverflowError } from '../../lib/errors/ChannelOverflowError';
import { CollectLimitError } from '../../lib/errors/CollectLimitError';
import {
  ChannelFixture,
  eventually,
  makeChunks,
  recordingFactory,
  settled,
  sha256,
  startChannelFixture,
} from './support/channelFixture';

const MiB = 1024 * 1024;

describe('channel reader and writer against the embedded engine', () => {
  let fx: ChannelFixture;
  beforeAll(async () => {
    fx = await startChannelFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('streams 24 MiB of binary (pulled from an async iterable) intact, in frames of at most 64 KiB', async () => {
    const { chunks, sha256: expected } = makeChunks(24 * MiB);
    const { reader, writer } = await fx.channel();
    async function* source() {
      for (const c of chunks) yield c;
    }
    const received: Uint8Array[] = [];
    let last: ChannelProgress | undefined;
    await Promise.all([
      lastValueFrom(writer.write(source())).then((p) => (last = p)),
      lastValueFrom(readChannel(reader, async (item) => void received.push(item as Uint8Array), { concurrency: 1 }), {
        defaultValue: undefined,
      }),
    ]);
    expect(sha256(received)).toBe(expected);
    expect(received.every((f) => f.byteLength <= 65536 && typeof f !== 'string')).toBe(true);
    expect(last!.bytes).toBe(24 * MiB);
    expect(last!.frames).toBe(received.length);
    await eventually(() => fx.engine.stats().channelSockets === 0, 'both channel sockets closed');
  });

  it('keeps text and binary frames apart and in order, from an Observable source, read with for await', async () => {
    const { reader, writer } = await fx.channel();
    const items: ChannelItem[] = ['{"type":"start"}', Buffer.from([1, 2, 3]), 'é ok', Buffer.alloc(70_000, 7), ''];
    const writing = lastValueFrom(from(items).pipe(writeChannel(writer)));
    const got: ChannelItem[] = [];
    for await (const item of reader) got.push(item);
    await writing;
    expect(got.map((i) => (typeof i === 'string' ? i : i.byteLength))).toEqual([
      '{"type":"start"}',
      3,
      'é ok',
      65536,
      70_000 - 65536,
      '',
    ]);
    expect(Buffer.from(got[1] as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
  });

  it('a slow consumer keeps the socket paused: items in flight stay near the high mark and the writer stalls', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ bufferSize: 4, reader: { socketFactory: factory } });
    const total = 48 * MiB;
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    let sent = 0;
    const writing = lastValueFrom(
      writer.write(
        (async function* () {
          for (let i = 0; i < total / chunk.length; i++) yield chunk;
        })(),
      ).pipe(tap((p) => (sent = p.bytes))),
    ).then(() => undefined);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let maxInFlight = 0;
    let inProject = 0;
    const reading = lastValueFrom(
      readChannel(
        reader,
        async (item) => {
          started++;
          inProject++;
          await gate;
          inProject--;
          written += (item as Uint8Array).byteLength;
        },
        { concurrency: 2, highWaterMark: 4, lowWaterMark: 1 },
      ),
      { defaultValue: undefined },
    );
    // Held consumer: the reader socket stops delivering soon after the high mark.
    const delivered = await settled(() => sockets[0]?.messages ?? 0);
    maxInFlight = delivered;
    expect(started).toBe(2);
    expect(inProject).toBe(2);
    expect(sockets[0].pauses).toBeGreaterThanOrEqual(1);
    // 64 KiB frames: one TCP read can carry at most a couple more frames past the pause.
    expect(maxInFlight).toBeLessThanOrEqual(4 + 1 + 4);
    // ... and the engine has stopped reading the writer: the writer stalls well short of the whole stream.
    const stalledAt = await settled(() => sent);
    // (engine buffer of 4 frames + socket buffers on both hops + the writer's 1 MiB mark: ~12 MiB here)
    expect(stalledAt).toBeLessThan(total / 2);
    release();
    await Promise.all([writing, reading]);
    expect(written).toBe(total);
  });

  it('unsubscribing a reader closes its socket', async () => {
    const { reader, writer } = await fx.channel();
    writer.next('first');
    const first = await firstValueFrom(reader);
    expect(first).toBe('first');
    await eventually(() => fx.engine.stats().channelSockets <= 1, 'reader socket closed');
    writer.error(new Error('test over'));
    await expect(lastValueFrom(writer.done$)).rejects.toThrow('test over');
    await eventually(() => fx.engine.stats().channelSockets === 0, 'all channel sockets closed');
  });

  it('a writer whose reader is gone errors with ChannelClosedError', async () => {
    const { reader, writer } = await fx.channel({ bufferSize: 1 });
    const writing = lastValueFrom(
      writer.write(
        (async function* () {
          for (;;) yield Buffer.alloc(64 * 1024, 2);
        })(),
      ),
    ).catch((e) => e);
    await firstValueFrom(reader.pipe(binaryItems()));
    const error = await writing;
    expect(error).toBeInstanceOf(ChannelClosedError);
  });

  it('404 on an unknown channel or wrong key: ChannelNotFoundError on both ends', async () => {
    const { readerRef, writerRef } = await fx.channel();
    const badReader = channelReader(fx.engine.url, { ...readerRef, access_key: 'wrong' });
    await expect(lastValueFrom(badReader)).rejects.toBeInstanceOf(ChannelNotFoundError);
    const badWriter = channelWriter(fx.engine.url, { ...writerRef, channel_id: '00000000-0000-4000-8000-000000000000' });
    await expect(lastValueFrom(badWriter.write(from(['x'])))).rejects.toBeInstanceOf(ChannelNotFoundError);
    // the channel itself is untouched: close it properly
    const { reader, writer } = await fx.channel();
    writer.complete();
    await expect(lastValueFrom(reader, { defaultValue: 'empty' })).resolves.toBe('empty');
  });

  it('halves are one-shot: a second use of an end errors; a second writer socket is refused by the engine', async () => {
    const { reader, writer, writerRef } = await fx.channel();
    const seen: ChannelItem[] = [];
    const items = firstValueFrom(reader.pipe(tap((i) => seen.push(i)), toArray()));
    writer.next('a');
    await firstValueFrom(writer.done$);
    await eventually(() => seen.length === 1, 'first item delivered');
    await expect(firstValueFrom(reader)).rejects.toBeInstanceOf(ChannelClosedError);
    const second = channelWriter(fx.engine.url, writerRef);
    await expect(lastValueFrom(second.write(from(['b'])))).rejects.toBeInstanceOf(ChannelClosedError);
    expect(() => writer.write(from(['c'])).subscribe({ error: () => undefined })).not.toThrow();
    const again = await lastValueFrom(writer.write(from(['c']))).catch((e) => e);
    expect(again).toBeInstanceOf(ChannelClosedError);
    writer.complete();
    await expect(items).resolves.toEqual(['a']);
  });

  it('push API: next/complete delivers everything; done$ completes after the normal close', async () => {
    const { reader, writer } = await fx.channel({ bufferSize: 2 });
    const got = lastValueFrom(reader.pipe(toArray()));
    for (let i = 0; i < 100; i++) {
      writer.next(`line ${i}`);
      if (i % 10 === 0) await writer.ready();
    }
    writer.next(Buffer.from('tail'));
    writer.complete();
    const done = await lastValueFrom(writer.done$);
    expect(done.frames).toBe(101);
    const items = await got;
    expect(items.length).toBe(101);
    expect(items[99]).toBe('line 99');
    expect(Buffer.from(items[100] as Uint8Array).toString()).toBe('tail');
  });

  it('push API: next past the queue bound never throws; ChannelOverflowError arrives on done$ and ready()', async () => {
    const { writer } = await fx.channel();
    const small = channelWriter(fx.engine.url, writer.ref, { maxQueuedBytes: 100_000 });
    small.next(Buffer.alloc(60_000));
    expect(() => small.next(Buffer.alloc(60_000))).not.toThrow();
    await expect(lastValueFrom(small.done$)).rejects.toBeInstanceOf(ChannelOverflowError);
    await expect(small.ready()).rejects.toBeInstanceOf(ChannelOverflowError);
    expect(() => small.next('more')).not.toThrow();
    expect(small.closed).toBe(true);
  });

  it('an Observable source that outruns the socket by more than maxQueuedBytes errors with ChannelOverflowError', async () => {
    const { writer } = await fx.channel({ bufferSize: 1 });
    const burst = new Observable<Uint8Array>((s) => {
      for (let i = 0; i < 64; i++) s.next(Buffer.alloc(64 * 1024));
      s.complete();
    });
    const err = await lastValueFrom(writer.write(burst, { maxQueuedBytes: 1 * MiB })).catch((e) => e);
    expect(err).toBeInstanceOf(ChannelOverflowError);
  });

  it('collect refuses to hold more than maxBytes', async () => {
    const { reader, writer } = await fx.channel();
    writer.write(from([Buffer.alloc(10_000), Buffer.alloc(10_000)])).subscribe({ error: () => undefined });
    await expect(lastValueFrom(reader.collect({ maxBytes: 15_000 }))).rejects.toBeInstanceOf(CollectLimitError);
    const ok = await fx.channel();
    ok.writer.write(from(['ab', Buffer.from([1])])).subscribe();
    await expect(lastValueFrom(ok.reader.collect({ maxBytes: 3 }))).resolves.toEqual(Buffer.from([0x61, 0x62, 1]));
  });

  it('a socket that cannot pause errors the read with ChannelOverflowError past maxBuffered', async () => {
    const { factory } = recordingFactory({ canPause: false });
    const { reader, writer } = await fx.channel({ reader: { socketFactory: factory } });
    writer.write(from(Array.from({ length: 50 }, (_, i) => `m${i}`))).subscribe({ error: () => undefined });
    const never = new Promise<void>(() => undefined);
    const err = await lastValueFrom(readChannel(reader, () => never, { highWaterMark: 2, maxBuffered: 8 })).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ChannelOverflowError);
  });

  it('refs: both ends serialise to their refs', async () => {
    const { reader, writer, readerRef, writerRef } = await fx.channel();
    expect(JSON.parse(JSON.stringify({ r: reader, w: writer }))).toEqual({ r: readerRef, w: writerRef });
    expect(reader.ref.direction).toBe('read');
    expect(writer.ref.direction).toBe('write');
    expect(reader).toBeInstanceOf(ChannelReader);
    expect(reader.url).toBe(`${fx.engine.url.replace(/\/$/, '')}/ws/channels/${readerRef.channel_id}?key=${encodeURIComponent(readerRef.access_key)}&dir=read`);
  });
});
