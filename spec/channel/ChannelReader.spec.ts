import * as t from 'io-ts';
import WebSocket from 'ws';
import { filter, from, lastValueFrom, map, merge, tap, toArray } from 'rxjs';
import type { ChannelItem } from '../../lib/channel/ChannelItem';
import { consume } from '../../lib/demand/consume';
import { consumeBatches } from '../../lib/demand/consumeBatches';
import { ChannelClosedError } from '../../lib/errors/ChannelClosedError';
import { DecodeError } from '../../lib/errors/DecodeError';
import { ChannelFixture, eventually, recordingFactory, settled, startChannelFixture } from './support/channelFixture';

const MiB = 1024 * 1024;

describe('ChannelReader: views, typed values and demand against the embedded engine', () => {
  let fx: ChannelFixture;
  beforeAll(async () => {
    fx = await startChannelFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it('one reader feeds text$, bytes$ and values$() from its one socket', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ reader: { socketFactory: factory } });
    const all = lastValueFrom(
      merge(
        reader.text$.pipe(map((s) => ['text', s] as const)),
        reader.bytes$.pipe(map((b) => ['bytes', b.byteLength] as const)),
        reader.values$().pipe(map((v) => ['value', v instanceof Uint8Array ? v.byteLength : v] as const)),
      ).pipe(toArray()),
    );
    await lastValueFrom(from(['{"n":1}\n', Buffer.from([1, 2]), '{"n":2}\n']).pipe((s) => writer.write(s)));
    const got = await all;
    expect(sockets).toHaveLength(1);
    expect(got.filter(([k]) => k === 'text').map(([, v]) => v)).toEqual(['{"n":1}\n', '{"n":2}\n']);
    expect(got.filter(([k]) => k === 'bytes').map(([, v]) => v)).toEqual([2]);
    expect(got.filter(([k]) => k === 'value').map(([, v]) => v)).toEqual([{ n: 1 }, 2, { n: 2 }]);
  });

  it('a view subscribed after items were delivered errors with ChannelClosedError instead of missing them', async () => {
    const { reader, writer } = await fx.channel();
    const seen: ChannelItem[] = [];
    const first = lastValueFrom(reader.pipe(tap((i) => seen.push(i)), toArray()));
    writer.next('one');
    await eventually(() => seen.length === 1, 'first item delivered');
    await expect(lastValueFrom(reader.text$)).rejects.toBeInstanceOf(ChannelClosedError);
    writer.complete();
    await expect(first).resolves.toEqual(['one']);
    await expect(lastValueFrom(reader)).rejects.toBeInstanceOf(ChannelClosedError);
  });

  it('values$(codec) decodes each NDJSON value to the codec type', async () => {
    const Reading = t.type({ sensor: t.string, celsius: t.number });
    const { reader, writer } = await fx.channel();
    const got = lastValueFrom(reader.values$(Reading).pipe(toArray()));
    writer.next('{"sensor":"a","celsius":20.5}\n{"sensor":"b",');
    writer.next('"celsius":-3}\n');
    writer.complete();
    const readings = await got;
    expect(readings).toEqual([
      { sensor: 'a', celsius: 20.5 },
      { sensor: 'b', celsius: -3 },
    ]);
    expect(readings.map((r) => r.celsius.toFixed(1))).toEqual(['20.5', '-3.0']);
  });

  it('values$(codec) fails with a DecodeError naming the value and the path of the bad field', async () => {
    const Reading = t.type({ sensor: t.string, tags: t.array(t.string) });
    const { reader, writer } = await fx.channel();
    const got = lastValueFrom(reader.values$(Reading)).catch((e) => e);
    writer.next('{"sensor":"a","tags":[]}\n{"sensor":"b","tags":["x",7]}\n');
    writer.complete();
    const err = await got;
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.code).toBe('DECODE_ERROR');
    expect(err.path).toBe('[1].tags[1]');
    expect(err.message).toContain('[1].tags[1]');
  });

  it('demand through map/filter: a busy consume keeps the reader socket paused and the writer stalled', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ bufferSize: 4, reader: { socketFactory: factory } });
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const writing = lastValueFrom(
      writer.write(
        (function* () {
          for (let i = 0; i < 1024; i++) yield chunk;
        })(),
      ).pipe(tap((p) => (sent = p.bytes))),
    );
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let processed = 0;
    const reading = lastValueFrom(
      reader.pipe(
        map((item) => item as Uint8Array),
        filter((b) => b.byteLength > 0),
        consume(async (b) => {
          await gate;
          processed += b.byteLength;
        }),
      ),
      { defaultValue: undefined },
    );
    const delivered = await settled(() => sockets[0]?.messages ?? 0);
    expect(sockets[0].pauses).toBeGreaterThanOrEqual(1);
    // 1 MiB byte mark = 16 frames of 64 KiB, plus what one TCP read carried past the pause
    expect(delivered).toBeLessThanOrEqual(16 + 1 + 4);
    const stalledAt = await settled(() => sent);
    expect(stalledAt).toBeLessThan(32 * MiB);
    release();
    await Promise.all([writing, reading]);
    expect(processed).toBe(64 * MiB);
  });

  it('consumeBatches on a reader pauses it too', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ bufferSize: 2, reader: { socketFactory: factory } });
    const writing = lastValueFrom(
      writer.write(
        (function* () {
          for (let i = 0; i < 5_000; i++) yield `{"i":${i},"pad":"${'x'.repeat(200)}"}\n`;
        })(),
      ),
    );
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batches: number[] = [];
    const reading = lastValueFrom(
      reader.values$(t.type({ i: t.number, pad: t.string })).pipe(
        consumeBatches(
          async (rows) => {
            batches.push(rows.length);
            await gate;
          },
          { maxItems: 100 },
        ),
      ),
      { defaultValue: undefined },
    );
    const delivered = await settled(() => sockets[0]?.messages ?? 0);
    // held well short of the stream: what arrives past the pause is bounded in bytes (one 64 KiB TCP read
    // can carry a few hundred of these 220-byte frames), not in frames
    expect(delivered).toBeLessThan(2_500);
    release();
    await Promise.all([writing, reading]);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(Math.max(...batches)).toBeLessThanOrEqual(100);
  });

  it('8 MiB frames from a raw WebSocket writer: the byte mark holds the reader to about one frame in flight', async () => {
    const { factory, sockets } = recordingFactory();
    const { reader, writer } = await fx.channel({ bufferSize: 1, reader: { socketFactory: factory } });
    const frame = Buffer.alloc(8 * MiB, 9);
    const frames = 6;
    const raw = new WebSocket(writer.url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => raw.once('open', resolve).once('error', reject));
    const writing = (async () => {
      for (let i = 0; i < frames; i++) await new Promise<void>((r, j) => raw.send(frame, (e) => (e ? j(e) : r())));
      raw.close(1000, 'stream_complete');
    })();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let bytes = 0;
    const reading = lastValueFrom(
      reader.pipe(
        consume(async (item) => {
          await gate;
          bytes += (item as Uint8Array).byteLength;
        }),
      ),
      { defaultValue: undefined },
    );
    const delivered = await settled(() => sockets[0]?.messages ?? 0);
    expect(delivered).toBeLessThanOrEqual(2);
    release();
    await Promise.all([writing, reading]);
    expect(bytes).toBe(frames * 8 * MiB);
    await new Promise<void>((r) => (raw.readyState === WebSocket.CLOSED ? r() : raw.once('close', () => r())));
  });
});
